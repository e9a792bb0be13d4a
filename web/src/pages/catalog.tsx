/**
 * Catalog: the survey's twenty families on its five axes, what each is for, its paper, and whether it
 * trains here (from GET /models; a family the API lists that the survey list lacks is shown too).
 */
import { api } from '../api/client.ts';
import type { Model } from '../api/types.ts';
import { ErrorBox, Loading } from '../components/states.tsx';
import { useAsync } from '../lib/hooks.ts';
import { href } from '../lib/route.ts';
import { AXES, SURVEY, type SurveyFamily, surveyEntry } from '../lib/survey.ts';

/** `models` is undefined until GET /models answers: then nothing is claimed about training here. */
function Card({ family, models }: { family: SurveyFamily; models: Model[] | undefined }) {
  const trainable = models?.filter((m) => family.ids.includes(m.id)) ?? [];
  return (
    <li class={trainable.length ? 'card trains' : 'card'} data-family={family.ids.join(' ')}>
      <h3>{family.title}</h3>
      <p>{family.purpose}</p>
      <p class="muted">
        <a href={family.paper.url}>
          {family.paper.authors} {family.paper.year}
        </a>
      </p>
      {trainable.length ? (
        <p>
          <span class="badge trains-here">trains here</span>{' '}
          {trainable.map((m) => (
            <span key={m.id}>
              <a href={href({ page: 'new', family: m.id })}>New {m.id} run</a>{' '}
              <span class="muted">on {m.datasets.join(', ')}</span>{' '}
            </span>
          ))}
        </p>
      ) : models ? (
        <p>
          <span class="badge planned">not trainable yet</span>
        </p>
      ) : null}
    </li>
  );
}

export function CatalogPage() {
  const models = useAsync(() => api.models(), []);
  const list = models.data ?? [];
  // Families the API trains that the descriptive list does not know yet still appear, from the API's fields.
  const extra: SurveyFamily[] = list
    .filter((m) => !surveyEntry(m.id))
    .map((m) => ({
      ids: [m.id],
      title: m.title,
      axis: m.axis,
      paper: { authors: m.paper.authors, year: m.paper.year, url: m.paper.url },
      purpose: m.summary,
    }));
  const all = [...SURVEY, ...extra];
  const trains = all.filter((f) => list.some((m) => f.ids.includes(m.id))).length;
  return (
    <>
      <h1 tabIndex={-1}>Catalog</h1>
      <p>
        The {SURVEY.length} GAN families of the survey, on its five axes.{' '}
        {models.data && (
          <strong data-testid="trainable-count">
            {trains} of {all.length} train here.
          </strong>
        )}
      </p>
      {models.error && (
        <ErrorBox error={models.error} retry={models.reload} what="Which families train here" />
      )}
      {!models.data && !models.error && <Loading what="the trainable families" />}
      {AXES.map((axis) => (
        <section key={axis.id} aria-labelledby={`axis-${axis.id}`}>
          <h2 id={`axis-${axis.id}`}>{axis.title}</h2>
          <ul class="cards">
            {all
              .filter((f) => f.axis === axis.id)
              .map((f) => (
                <Card key={f.ids[0]} family={f} models={models.data} />
              ))}
          </ul>
        </section>
      ))}
    </>
  );
}
