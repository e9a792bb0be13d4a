/**
 * Pixel norm (Karras et al. 2018) after each of a Progressive GAN generator's convolutions and on
 * StyleGAN's z. The layer lives in shared/layers/normalise.ts, which the playground imports too, so an
 * exported generator holding it loads in the browser.
 */
export { PixelNorm, pixelNorm } from '../../shared/layers/normalise.ts';
