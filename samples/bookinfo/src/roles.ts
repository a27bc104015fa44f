// Starts the role a Bookinfo process was asked to play.
import type { Logger } from '@sextant/util';
import { startDetails } from './details';
import { startProductpage } from './productpage';
import { startRatings } from './ratings';
import { startReviews } from './reviews';
import type { RunningRole } from './server';
import type { BookinfoConfig } from './settings';

export function startRole(config: BookinfoConfig, log: Logger): Promise<RunningRole> {
  switch (config.role) {
    case 'productpage':
      return startProductpage(config, log);
    case 'details':
      return startDetails(config, log);
    case 'reviews':
      return startReviews(config, log);
    case 'ratings':
      return startRatings(config, log);
  }
}
