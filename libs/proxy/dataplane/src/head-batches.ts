// llhttp hands a head with more than 32 header fields over in batches: each
// kOnHeaders(headers, url) call carries the fields (and, for requests, the
// part of the URL) read so far, and kOnHeadersComplete then passes no
// headers and no URL. This collects the batches for one head at a time.
export class HeadBatches {
  private fields: string[] | undefined;
  private urlPart = '';

  /** kOnHeaders: one flushed batch. */
  add(fields: string[], url?: string): void {
    const buf = (this.fields ??= []);
    for (const f of fields) buf.push(f);
    if (url) this.urlPart += url;
  }

  /** kOnHeadersComplete: the head's whole raw header list (the batches, then what the callback passed). */
  headers(last: string[] | undefined): string[] {
    const buf = this.fields;
    if (buf === undefined) return last ?? [];
    this.fields = undefined;
    if (last !== undefined) for (const f of last) buf.push(f);
    return buf;
  }

  /** kOnHeadersComplete (requests): the whole URL. */
  url(last: string | undefined): string {
    if (this.urlPart === '') return last ?? '';
    const url = this.urlPart + (last ?? '');
    this.urlPart = '';
    return url;
  }
}
