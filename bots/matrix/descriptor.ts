/** Matrix, as the core sees it. The bot loads only when Matrix is configured. */
import type { PlatformDescriptor } from '../../src/platform.js';
import { MATRIX_ENV, matrixConfig } from './config.js';

export const matrix: PlatformDescriptor = {
  name: 'matrix',
  displayName: 'Matrix',
  cannot: [],
  ...MATRIX_ENV,
  async create(env) {
    const { createMatrixBot } = await import('./index.js');
    return createMatrixBot(matrixConfig(env));
  },
};
