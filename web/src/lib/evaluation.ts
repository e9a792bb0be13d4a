/** What the run page shows of a run's eval.json: headline numbers with how to read them, and class shares. */
import type { EvalResult } from '../../../shared/evaluation.ts';
import { metric } from './format.ts';

export interface EvalFact {
  label: string;
  value: string;
  /** How the number was made, so it can be read and compared. */
  detail: string;
}

const percent = (share: number) => `${(100 * share).toFixed(1)}%`;

export function evaluationFacts(e: EvalResult): EvalFact[] {
  const made = {
    label: 'Evaluated with',
    value: `${e.samples.toLocaleString('en')} samples`,
    detail: `seed ${e.seed}, ${e.backend.name ?? e.backend.tfjsBackend} backend, ${e.seconds} s`,
  };
  if (e.kind === 'posed') {
    return [
      {
        label: 'Azimuth correlation',
        value: e.sweep.circularCorrelation.toFixed(3),
        detail: e.definitions.circularCorrelation,
      },
      {
        label: 'Per z',
        value: `median ${e.sweep.perRow.median.toFixed(3)}`,
        detail: `min ${e.sweep.perRow.min.toFixed(3)}, max ${e.sweep.perRow.max.toFixed(3)} over ${e.sweep.rows} z`,
      },
      made,
    ];
  }
  if (e.kind === 'points2d') {
    const m = e.modes;
    return [
      {
        label: 'Modes covered',
        value: `${m.modesCovered} / ${m.modesTotal}`,
        detail: e.definitions.covered,
      },
      {
        label: 'High-quality samples',
        value: `${m.hqPercent.toFixed(1)}%`,
        detail: `within ${e.definitions.hqSigmas} sigma (${metric(e.definitions.hqSigmas * e.definitions.sigma)}) of their nearest mode`,
      },
      made,
    ];
  }
  if (e.kind === 'translation') return [...translationFacts(e), made];
  if (e.kind === 'single-image')
    return [
      {
        label: 'Patch SWD',
        value: metric(e.patchSwd),
        detail: `lower is better: sliced Wasserstein distance between ${e.patchStatistics.patch}px patches of the samples and of the image (the image blurred: ${metric(e.blurredPatchSwd)})`,
      },
      { label: 'Diversity', value: metric(e.diversity), detail: e.definitions.diversity ?? '' },
      ...e.otherSizes.map((o) => ({
        label: `Patch SWD at ${o.size[1]}x${o.size[0]}`,
        value: metric(o.patchSwd),
        detail: 'samples at another size and aspect ratio, against the image',
      })),
      {
        label: 'Super-resolution PSNR',
        value: `${e.superResolution.psnr.toFixed(2)} dB`,
        detail: `the image halved ${e.superResolution.times} time(s) and brought back by the finest generator; plain resize: ${e.superResolution.resizePsnr.toFixed(2)} dB`,
      },
      {
        label: 'Paint-to-image patch SWD',
        value: metric(e.paintToImage.patchSwd),
        detail: `a rough painting injected at scale ${e.paintToImage.scale}; the painting itself: ${metric(e.paintToImage.paintPatchSwd)}`,
      },
      made,
    ];
  const facts: EvalFact[] = [
    {
      label: 'cFID',
      value: metric(e.cfid.value),
      detail: `lower is better; ${e.cfid.generatedSamples.toLocaleString('en')} samples against ${e.cfid.realSet}, on the classifier's ${e.cfid.featureDim}-d features`,
    },
    {
      label: 'Classes covered',
      value: `${e.classes.first1000.covered} / ${e.classes.first1000.counts.length}`,
      detail: `in the first ${e.classes.first1000.samples.toLocaleString('en')} samples; a class needs ${percent(e.definitions.classMinShare)} of them`,
    },
  ];
  if (e.classAccuracy) {
    facts.push({
      label: 'Class accuracy',
      value: percent(e.classAccuracy.value),
      detail: 'samples the classifier puts in the class the generator was asked for',
    });
  }
  if (e.codes) {
    facts.push({
      label: 'Code best-mapping accuracy',
      value: percent(e.codes.bestMapping.accuracy),
      detail: `each value of the categorical code matched one-to-one to a digit (code -> digit ${e.codes.bestMapping.mapping.join(' ')})`,
    });
  }
  if (e.truncation) {
    const point = (p: { threshold: number | null; classAccuracy: number; cfid: number }) =>
      `${p.threshold === null ? 'none' : p.threshold}: ${percent(p.classAccuracy)} / ${metric(p.cfid)}`;
    facts.push({
      label: 'Truncation sweep',
      value: e.truncation.points.map(point).join('; '),
      detail: `threshold: class accuracy / cFID, ${e.truncation.samples.toLocaleString('en')} samples each; a lower threshold draws z nearer the mode (fidelity over variety)`,
    });
  }
  facts.push(made);
  return facts;
}

/**
 * A translating generator's numbers: against its targets (paired), per direction (unpaired), or the new
 * article read from its swaps (articles).
 */
function translationFacts(e: Extract<EvalResult, { kind: 'translation' }>): EvalFact[] {
  const facts: EvalFact[] = [];
  if (e.paired) {
    const { model, copyThrough, cfid, copyThroughCfid } = e.paired;
    facts.push(
      {
        label: 'Held-out L1',
        value: metric(model.l1),
        detail: `lower is better; the input copied through scores ${metric(copyThrough.l1)}`,
      },
      {
        label: 'Held-out PSNR',
        value: `${model.psnr.toFixed(2)} dB`,
        detail: `higher is better; copied through ${copyThrough.psnr.toFixed(2)} dB`,
      },
      {
        label: 'Held-out SSIM',
        value: metric(model.ssim),
        detail: `higher is better; copied through ${metric(copyThrough.ssim)}`,
      },
    );
    if (cfid)
      facts.push({
        label: 'cFID',
        value: metric(cfid.value),
        detail: `lower is better; against ${cfid.realSet}; copied through ${metric(copyThroughCfid ?? Number.NaN)}`,
      });
  }
  if (e.labelMap) {
    const { generated, real } = e.labelMap;
    facts.push(
      {
        label: 'mIoU of the generated scenes',
        value: percent(generated.mIoU),
        detail: `higher is better; the segmenter reads real held-out scenes at ${percent(real.mIoU)}`,
      },
      {
        label: 'Pixels read as the map says',
        value: percent(generated.pixelAccuracy),
        detail: `real held-out scenes ${percent(real.pixelAccuracy)}`,
      },
    );
  }
  if (e.superResolution) {
    const { model, bicubic, highFrequency: hf, factor } = e.superResolution;
    facts.push(
      {
        label: `Held-out PSNR (x${factor})`,
        value: `${model.psnr.toFixed(2)} dB`,
        detail: `higher is better; bicubic ${bicubic.psnr.toFixed(2)} dB`,
      },
      {
        label: 'Held-out SSIM',
        value: metric(model.ssim),
        detail: `higher is better; bicubic ${metric(bicubic.ssim)}`,
      },
      {
        label: 'High-frequency energy',
        value: `${(100 * hf.modelRatio).toFixed(1)}% of the targets'`,
        detail: `100% matches the targets' detail (within 85-115% is the aim); bicubic ${(100 * hf.bicubicRatio).toFixed(1)}%`,
      },
    );
  }
  if (e.unpaired) {
    const { toA, toB, digitsOnRealB } = e.unpaired;
    facts.push(
      {
        label: 'A -> B read as B',
        value: percent(toB.targetDomain),
        detail: e.definitions.targetDomain ?? '',
      },
      {
        label: 'A -> B class kept',
        value: percent(toB.classKept),
        detail: `the domain classifier reads real B's digits at ${percent(digitsOnRealB)}; round trip ${percent(toB.roundTripClassKept)}`,
      },
      {
        label: 'B -> A read as A',
        value: percent(toA.targetDomain),
        detail: e.definitions.targetDomain ?? '',
      },
      {
        label: 'B -> A class kept',
        value: percent(toA.classKept),
        detail: `round trip ${percent(toA.roundTripClassKept)}`,
      },
    );
  }
  if (e.analogy) {
    const { model, copyThrough, pasteColour, readerOnReal, outsideBound, works } = e.analogy;
    facts.push(
      {
        label: 'New article read',
        value: percent(model.both),
        detail: `colour ${percent(model.colour)}, pattern ${percent(model.pattern)}; works at 80% (${works ? 'met' : 'not met'}); copied through ${percent(copyThrough.both)}, colour pasted ${percent(pasteColour.both)}; the reader on real people ${percent(readerOnReal.both)}`,
      },
      {
        label: 'Change outside the article',
        value: metric(model.outsideL1),
        detail: `mean |output - person| outside the worn article's region, lower is better; bound ${outsideBound}`,
      },
    );
  }
  return facts;
}

/** Each class's share of the samples, for the histogram (an empty list for point data). */
export function classShares(e: EvalResult): { label: string; share: number; count: number }[] {
  if (e.kind !== 'images') return [];
  const { counts, samples } = e.classes.all;
  return counts.map((count, i) => ({ label: String(i), count, share: samples > 0 ? count / samples : 0 }));
}

/** The facts of several runs' evaluations as rows (one per label, in first-seen order), a value per run. */
export function comparisonRows(evals: readonly (EvalResult | undefined)[]) {
  const perRun = evals.map((e) => (e ? evaluationFacts(e) : []));
  const labels = [...new Set(perRun.flatMap((facts) => facts.map((f) => f.label)))];
  return labels.map((label) => ({
    label,
    values: perRun.map((facts) => facts.find((f) => f.label === label)?.value),
  }));
}
