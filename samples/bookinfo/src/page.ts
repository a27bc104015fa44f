// The product page's HTML. Every outcome a test (or a person) looks for is
// visible and marked: data-details-status, data-reviews-version and
// data-reviews-status on the sections, data-stars/data-color on the stars,
// and Istio's error sentences verbatim.
import type { BookDetails, Product } from './catalog';
import type { ReviewsAnswer } from './reviews';

export const DETAILS_UNAVAILABLE = 'Sorry, product details are currently unavailable for this book.';
export const REVIEWS_UNAVAILABLE = 'Sorry, product reviews are currently unavailable for this book.';

export interface PageModel {
  product: Product;
  user?: string;
  details: { ok: true; body: BookDetails } | { ok: false };
  reviews: { ok: true; body: ReviewsAnswer; version: string } | { ok: false };
}

export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Only plain colour names or #hex reach a style attribute. */
function safeColor(color: unknown): string {
  return typeof color === 'string' && /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,20})$/.test(color) ? color : 'black';
}

const STYLE = `
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #222; background: #fafafa; }
  header { display: flex; justify-content: space-between; align-items: center; padding: .6rem 1.5rem; background: #263238; color: #eceff1; }
  header a, header button { color: #eceff1; }
  header form { display: flex; gap: .4rem; }
  header input { padding: .2rem .4rem; }
  main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem; }
  h1 { font-weight: 500; text-align: center; }
  .summary { font-size: 1.05rem; line-height: 1.5; }
  .columns { display: grid; grid-template-columns: 1fr 1fr; gap: 2rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
  dt { font-weight: 600; }
  blockquote { margin: 0 0 1.2rem; padding: .6rem 1rem; border-left: 4px solid #90a4ae; background: #fff; }
  blockquote small { display: block; color: #607d8b; margin: .3rem 0; }
  .stars { font-size: 1.3rem; letter-spacing: .1rem; }
  .error { color: #b71c1c; font-style: italic; }
  .served-by { color: #78909c; font-size: .85rem; }
`;

function renderLogin(user: string | undefined): string {
  if (user) {
    return `<div class="user">Signed in as <b data-user="${escapeHtml(user)}">${escapeHtml(user)}</b> · <a href="/logout">sign out</a></div>`;
  }
  return `<form method="post" action="/login"><input name="username" placeholder="User Name" aria-label="User Name" required>` +
    `<input name="passwd" type="password" placeholder="Password" aria-label="Password"><button type="submit">Sign in</button></form>`;
}

function renderDetails(details: PageModel['details']): string {
  if (!details.ok) return `<section class="details" data-details-status="unavailable"><h2>Book Details</h2><p class="error">${DETAILS_UNAVAILABLE}</p></section>`;
  const d = details.body;
  const rows: [string, unknown][] = [
    ['Author', d.author],
    ['Year', d.year],
    ['Type', d.type],
    ['Pages', d.pages],
    ['Publisher', d.publisher],
    ['Language', d.language],
    ['ISBN-10', d['ISBN-10']],
    ['ISBN-13', d['ISBN-13']],
  ];
  const dl = rows.map(([k, v]) => `<dt>${k}:</dt><dd>${escapeHtml(v)}</dd>`).join('');
  return `<section class="details" data-details-status="ok"><h2>Book Details</h2><dl>${dl}</dl></section>`;
}

function renderStars(stars: number, color: unknown): string {
  const n = Math.max(0, Math.min(5, Math.round(stars)));
  const c = safeColor(color);
  return `<span class="stars" data-stars="${n}" data-color="${c}" style="color: ${c}" aria-label="${n} out of 5 stars">${'★'.repeat(n)}${'☆'.repeat(5 - n)}</span>`;
}

function renderReviews(reviews: PageModel['reviews']): string {
  if (!reviews.ok) {
    return `<section class="reviews" data-reviews-status="unavailable"><h2>Book Reviews</h2><p class="error">${REVIEWS_UNAVAILABLE}</p></section>`;
  }
  const r = reviews.body;
  const items = (Array.isArray(r.reviews) ? r.reviews : []).map((review) => {
    let rating = '';
    if (review.rating?.error) rating = `<p class="error rating-error">${escapeHtml(review.rating.error)}</p>`;
    else if (typeof review.rating?.stars === 'number') rating = renderStars(review.rating.stars, review.rating.color);
    return `<blockquote class="review" data-reviewer="${escapeHtml(review.reviewer)}"><p>${escapeHtml(review.text)}</p><small>${escapeHtml(review.reviewer)}</small>${rating}</blockquote>`;
  });
  const version = escapeHtml(reviews.version);
  return (
    `<section class="reviews" data-reviews-status="ok" data-reviews-version="${version}" data-reviews-instance="${escapeHtml(r.podname)}">` +
    `<h2>Book Reviews</h2>${items.join('')}` +
    `<p class="served-by">Reviews served by: ${escapeHtml(r.podname)} (${version})${r.clustername && r.clustername !== 'null' ? ` on cluster ${escapeHtml(r.clustername)}` : ''}</p></section>`
  );
}

export function renderProductPage(model: PageModel): string {
  const { product } = model;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Simple Bookstore App</title><style>${STYLE}</style></head>
<body>
<header><a href="/productpage">BookInfo Sample</a>${renderLogin(model.user)}</header>
<main data-product-id="${product.id}">
<h1>${escapeHtml(product.title)}</h1>
<p class="summary">${product.descriptionHtml}</p>
<div class="columns">
${renderDetails(model.details)}
${renderReviews(model.reviews)}
</div>
</main>
</body>
</html>
`;
}

export function renderIndex(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Simple Bookstore App</title><style>${STYLE}</style></head>
<body><main><h1>Hello! This is a simple bookstore application consisting of four services.</h1>
<p>Open the <a href="/productpage">product page</a> to see what they serve together. Its parts:</p>
<ul><li><b>productpage</b> calls details and reviews and renders this site</li><li><b>details</b> knows the book's bibliographic data</li>
<li><b>reviews</b> has the reviews; v2 and v3 ask <b>ratings</b> for stars</li><li><b>ratings</b> knows how many stars each reviewer gave</li></ul>
<p>API: <a href="/api/v1/products">/api/v1/products</a>, <a href="/api/v1/products/0">/api/v1/products/0</a>,
<a href="/api/v1/products/0/reviews">/api/v1/products/0/reviews</a>, <a href="/api/v1/products/0/ratings">/api/v1/products/0/ratings</a></p>
</main></body></html>
`;
}
