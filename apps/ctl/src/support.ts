export { createRootLogger, sleep } from '@sextant/util';
import { isAlive } from '@sextant/local-mesh';

export const isAliveHint = (pid: number | undefined): string => (isAlive(pid) ? ` (pid ${pid} still running; stop it with \`sextant down\`)` : '');
