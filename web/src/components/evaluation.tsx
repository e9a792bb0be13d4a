/** A run's evaluation: headline numbers with how they were made, the class histogram, and its pictures. */
import type { Evaluation } from '../api/types.ts';
import { classShares, evaluationFacts } from '../lib/evaluation.ts';

export function EvaluationView({ data }: { data: Evaluation }) {
  const e = data.evaluation;
  const shares = classShares(e);
  const widest = Math.max(...shares.map((s) => s.share), 0);
  return (
    <div class="evaluation">
      <dl class="facts">
        {evaluationFacts(e).map((f) => (
          <div key={f.label} class="fact">
            <dt>{f.label}</dt>
            <dd>
              <strong>{f.value}</strong> <span class="muted">{f.detail}</span>
            </dd>
          </div>
        ))}
      </dl>
      {shares.length > 0 && (
        <figure class="histogram">
          <figcaption>
            Classes the classifier reads in all {e.samples.toLocaleString('en')} samples
          </figcaption>
          <ol>
            {shares.map((s) => (
              <li key={s.label} class="histogram-row">
                <span class="histogram-label">{s.label}</span>
                <span
                  class="histogram-bar"
                  style={{ width: `${widest > 0 ? (70 * s.share) / widest : 0}%` }}
                  aria-hidden="true"
                />
                <span class="histogram-value">
                  {(100 * s.share).toFixed(1)}% ({s.count.toLocaleString('en')})
                </span>
              </li>
            ))}
          </ol>
        </figure>
      )}
      {data.pictures.length > 0 && (
        <div class="eval-pictures">
          {data.pictures.map((p) => (
            <figure key={p.key}>
              <a href={p.url} target="_blank" rel="noreferrer">
                <img class="eval-picture" src={p.url} alt={p.title} loading="lazy" />
              </a>
              <figcaption>{p.title}</figcaption>
            </figure>
          ))}
        </div>
      )}
    </div>
  );
}
