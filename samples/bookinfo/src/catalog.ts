// The bookstore's data: one book, as in Istio's Bookinfo.

export interface Product {
  id: number;
  title: string;
  /** Trusted, static HTML. */
  descriptionHtml: string;
}

export interface BookDetails {
  id: number;
  author: string;
  year: number;
  type: string;
  pages: number;
  publisher: string;
  language: string;
  'ISBN-10': string;
  'ISBN-13': string;
}

export const PRODUCTS: readonly Product[] = [
  {
    id: 0,
    title: 'The Comedy of Errors',
    descriptionHtml:
      '<a href="https://en.wikipedia.org/wiki/The_Comedy_of_Errors">Wikipedia Summary</a>: ' +
      "The Comedy of Errors is one of <b>William Shakespeare's</b> early plays and his shortest. " +
      'It is among his most farcical comedies: much of the fun comes from slapstick and mistaken identity, ' +
      'with puns and word play on top.',
  },
];

export function bookDetails(id: number): BookDetails {
  return {
    id,
    author: 'William Shakespeare',
    year: 1595,
    type: 'paperback',
    pages: 200,
    publisher: 'PublisherA',
    language: 'English',
    'ISBN-10': '1234567890',
    'ISBN-13': '123-1234567890',
  };
}

export const REVIEWERS = ['Reviewer1', 'Reviewer2'] as const;
export type Reviewer = (typeof REVIEWERS)[number];

export const REVIEW_TEXTS: Record<Reviewer, string> = {
  Reviewer1: 'A thoroughly entertaining play by Shakespeare. The slapstick humour feels fresh!',
  Reviewer2: 'Great fun from start to finish, though it lacks the thematic depth of other Shakespeare plays.',
};

export const DEFAULT_RATINGS: Record<Reviewer, number> = { Reviewer1: 5, Reviewer2: 4 };

/** Product ids in paths must be non-negative integers. */
export function parseProductId(raw: string): number | undefined {
  return /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
}
