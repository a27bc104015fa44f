import { defineConfig } from 'vitest/config';
import { projectConfig } from '../../vitest.shared.ts';

// The integration suite drives real processes through bin/sextant: one file
// at a time, with room for the mesh to start.
export default defineConfig(projectConfig(import.meta.dirname, { testTimeout: 120_000, fileParallelism: false }));
