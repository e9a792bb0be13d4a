/**
 * `npm run build:wasm`: compiles every wasm kernel variant from its .wat source into the cache (wat.ts), so
 * no start of the trainer compiles one. A start whose cache lacks one compiles it then, once.
 */
import { KERNEL_VARIANTS, kernelBinary } from './wat.ts';

for (const [name, features] of KERNEL_VARIANTS) {
  const { path, cached, bytes } = await kernelBinary(name, features);
  console.log(
    `${name} ${JSON.stringify(features)}: ${bytes.length} bytes, ${cached ? 'already in' : 'wrote'} ${path}`,
  );
}
