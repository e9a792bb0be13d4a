/** A gallery's samples grouped by the stage that drew them (runs that train in stages). */

/** The run's stages in sample order, each with the indexes of its first and last sample; empty without stages. */
export function stageGroups(
  samples: readonly { stage?: { index: number; name: string } }[],
): { index: number; name: string; first: number; last: number }[] {
  const groups: { index: number; name: string; first: number; last: number }[] = [];
  samples.forEach((s, i) => {
    if (!s.stage) return;
    const g = groups.at(-1);
    if (g && g.index === s.stage.index) g.last = i;
    else groups.push({ index: s.stage.index, name: s.stage.name, first: i, last: i });
  });
  return groups;
}
