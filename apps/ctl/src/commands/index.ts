// Every `sextant` command registers itself here, one file per command.
import type { Command } from 'commander';
import { registerBootstrap } from './bootstrap';
import { registerDown } from './down';
import { registerStatus } from './status';
import { registerUp } from './up';

export const COMMANDS: ((program: Command) => void)[] = [registerUp, registerStatus, registerDown, registerBootstrap];
