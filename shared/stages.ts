/**
 * A run's stages (a family that trains in stages, e.g. a Progressive GAN's resolutions), as the trainer
 * writes them to the run folder (runFiles.stages) and the API and the run page read them to group samples.
 * No dependencies beyond zod: the dashboard can bundle it.
 */
import { z } from 'zod';

export const RunStageSchema = z.strictObject({
  index: z.int().min(0),
  name: z.string().describe('e.g. "16x16"'),
  start: z.int().min(0).describe('First step trained in the stage (0-based).'),
  end: z.int().min(1).describe("The step the stage ends before (the run ends at its last stage's)."),
  resolution: z
    .tuple([z.int().min(1), z.int().min(1)])
    .optional()
    .describe('[height, width] it trains at.'),
  fadeSteps: z.int().min(1).optional().describe('Steps at its start over which new layers fade in.'),
});
export type RunStage = z.infer<typeof RunStageSchema>;

export const RunStagesSchema = z.array(RunStageSchema).min(1);

/**
 * The stage a sample written after `step` steps shows: the one that trained step `step` - 1 (the step-0
 * sample shows the first stage untrained).
 */
export function stageOfSample(stages: readonly RunStage[], step: number): RunStage | undefined {
  const trained = Math.max(0, step - 1);
  return stages.find((s) => trained >= s.start && trained < s.end) ?? stages.at(-1);
}
