import { describe, expect, it } from 'vitest';
import { parseTrainArgs, UsageError } from './args.ts';

const ok = ['--family', 'dcgan', '--dataset', 'mnist', '--out', '/tmp/x/my run'];

describe('trainer command line', () => {
  it('maps flags onto the spec', () => {
    const a = parseTrainArgs([
      ...ok,
      '--steps',
      '30',
      '--batch',
      '16',
      '--hp',
      'gChannels=32',
      '--hp',
      'loss=minimax',
    ]);
    expect(a.spec).toMatchObject({ family: 'dcgan', steps: 30, batchSize: 16 });
    expect(a.spec.hyperparameters).toMatchObject({ gChannels: 32, loss: 'minimax', dChannels: 64 });
    expect(a.runId).toBe('my-run');
  });

  it('evaluates at the end unless --no-eval is given', () => {
    expect(parseTrainArgs(ok).spec.evaluate).toBe(true);
    expect(parseTrainArgs([...ok, '--no-eval']).spec.evaluate).toBe(false);
  });

  it.each([
    [['--dataset', 'mnist'], /missing --family/],
    [['--family', 'dcgan'], /missing --dataset/],
    [[...ok, '--stepz', '3'], /Unknown option '--stepz'/],
    [[...ok, '--steps', 'many'], /--steps expects a number, got 'many'/],
    [[...ok, '--steps', '0'], /--steps: Too small/],
    [[...ok, '--batch=-4'], /--batch: Too small/],
    [['--family', 'stylegan9', '--dataset', 'mnist'], /--family: Invalid option/],
    [
      ['--family', 'dcgan', '--dataset', 'ring8'],
      /--dataset: family 'dcgan' trains on .*images; dataset 'ring8' holds 2D points/,
    ],
    [[...ok, '--hp', 'gChannels'], /--hp expects NAME=VALUE/],
    [[...ok, '--hp', 'learningRate=7'], /--hp learningRate: Too big/],
    [[...ok, '--hp', 'nope=1'], /unknown field 'nope'/],
    [[...ok, '--spec', '/nonexistent.json'], /--spec \/nonexistent.json: ENOENT/],
  ])('rejects %j with a message naming the problem', (argv, message) => {
    expect(() => parseTrainArgs(argv)).toThrow(UsageError);
    expect(() => parseTrainArgs(argv)).toThrow(message);
  });
});
