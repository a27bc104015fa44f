// Original file: protos/sextant/galley/v1/config.proto

import type { HistoryEntry as _sextant_galley_v1_HistoryEntry, HistoryEntry__Output as _sextant_galley_v1_HistoryEntry__Output } from '../../../sextant/galley/v1/HistoryEntry';

export interface HistoryResponse {
  'entries'?: (_sextant_galley_v1_HistoryEntry)[];
}

export interface HistoryResponse__Output {
  'entries': (_sextant_galley_v1_HistoryEntry__Output)[];
}
