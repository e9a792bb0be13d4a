/**
 * Layers on 3D feature volumes [N, D, H, W, C] (HoloGAN): 3D transposed convolution (with the gradient tfjs
 * lacks) and the projection unit that turns a volume into a 2D feature map, beside the learned constant
 * volume and the rotation by a camera pose, which live in shared/layers/volume.ts (coordinates and pose
 * convention there) because an exported generator keeps them.
 */
import * as tf from '@tensorflow/tfjs';
import { LearnedConstant, POSE_COMPONENTS, Rotate3D, rotateVolume } from '../../shared/layers/volume.ts';
import { assertShape } from './layers.ts';

// The layers an exported generator keeps live in shared/layers/ (the browser registers them too).
export { LearnedConstant, POSE_COMPONENTS, Rotate3D, rotateVolume };

type Sym = tf.SymbolicTensor;
type Initializer = ReturnType<typeof tf.initializers.randomNormal>;

/**
 * The gradient of Conv3DBackpropInputV2, the kernel of tf.conv3dTranspose, which tfjs does not ship. The
 * transposed convolution out = T(x, W) is the adjoint of the convolution conv3d(., W) in its input, so
 * dx = conv3d(dOut, W), and dW is the convolution's filter gradient with dOut as its input and x as its
 * output gradient. Registered once, for every backend, when this module loads.
 */
export function registerConv3dTransposeGradient(): boolean {
  if (tf.getGradient('Conv3DBackpropInputV2') != null) return false;
  tf.registerGradient({
    kernelName: 'Conv3DBackpropInputV2',
    inputsToSave: ['dy', 'filter'],
    gradFunc: (dOut, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor5D, tf.Tensor5D];
      const { strides, pad } = attrs as unknown as {
        strides: [number, number, number];
        pad: 'same' | 'valid';
      };
      const dy = dOut as tf.Tensor5D;
      return {
        dy: () => tf.conv3d(dy, filter, strides, pad),
        filter: () =>
          tf.engine().runKernel('Conv3DBackpropFilterV2', { x: dy, dy: x }, {
            strides,
            pad,
            filterShape: filter.shape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
      };
    },
  });
  return true;
}
registerConv3dTransposeGradient();

export interface Deconv3dOptions {
  filters: number;
  kernel: number;
  strides: number;
  init: Initializer;
  name?: string;
}

/** A 3D transposed convolution ('same' padding, no bias: AdaIN's shift follows). */
export function deconv3d(x: Sym, o: Deconv3dOptions): Sym {
  const [, d, h, w] = x.shape as number[];
  const y = tf.layers
    .conv3dTranspose({
      ...(o.name ? { name: o.name } : {}),
      filters: o.filters,
      kernelSize: o.kernel,
      strides: o.strides,
      padding: 'same',
      useBias: false,
      kernelInitializer: o.init,
    })
    .apply(x) as Sym;
  const s = o.strides;
  return assertShape(y, [null, d! * s, h! * s, w! * s, o.filters], o.name ?? 'deconv3d');
}

/** Applies a Rotate3D to symbolic [volume, pose]. */
export function rotate3d(volume: Sym, pose: Sym, name?: string): Sym {
  return new Rotate3D(name ? { name } : {}).apply([volume, pose]) as Sym;
}

/**
 * The projection unit: a volume [N, D, H, W, C] becomes a 2D map [N, H, W, filters] by stacking the depth
 * into channels (D * C) and a 1x1 convolution with LeakyReLU, which learns what is seen and what is hidden
 * along the line of sight. Stock layers only.
 */
export function projectionUnit(volume: Sym, o: { filters: number; init: Initializer; name?: string }): Sym {
  const [, d, h, w, c] = volume.shape as number[];
  const depthLast = tf.layers.permute({ dims: [2, 3, 1, 4] }).apply(volume) as Sym;
  const stacked = tf.layers.reshape({ targetShape: [h!, w!, d! * c!] }).apply(depthLast) as Sym;
  const conv = tf.layers
    .conv2d({
      ...(o.name ? { name: o.name } : {}),
      filters: o.filters,
      kernelSize: 1,
      kernelInitializer: o.init,
    })
    .apply(stacked) as Sym;
  const out = tf.layers.leakyReLU({ alpha: 0.2 }).apply(conv) as Sym;
  return assertShape(out, [null, h!, w!, o.filters], o.name ?? 'projection unit');
}
