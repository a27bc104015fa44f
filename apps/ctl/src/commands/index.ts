// Every `sextant` command registers itself here, one file per command.
import type { Command } from 'commander';
import { registerBootstrap } from './bootstrap';
import { registerDown } from './down';
import { registerStatus } from './status';
import { registerUp } from './up';
import { registerValidate } from './validate';
import { registerApply } from './apply';
import { registerDelete } from './delete';
import { registerGet } from './get';
import { registerConfig } from './config';
import { registerCreate } from './create-secret';
import { registerAnalyze } from './analyze';
import { registerProxyStatus } from './proxy-status';
import { registerProxyConfig } from './proxy-config';
import { registerRestart } from './restart';
import { registerProxyIptables } from './proxy-iptables';

export const COMMANDS: ((program: Command) => void)[] = [registerUp, registerStatus, registerDown, registerBootstrap, registerValidate, registerApply, registerDelete, registerGet, registerConfig, registerAnalyze];
COMMANDS.push(registerProxyStatus, registerProxyConfig);
COMMANDS.push(registerProxyIptables);
COMMANDS.push(registerRestart);
COMMANDS.push(registerCreate);
