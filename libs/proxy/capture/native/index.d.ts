export interface OriginalDst {
  address: string;
  port: number;
  family: 4 | 6;
}
/** The pre-REDIRECT destination of the TCP socket with this file descriptor. */
export function getOriginalDst(fd: number): OriginalDst;
