/**
 * The datasets: the built-ins with their previews, the caller's uploads with every version (status, counts,
 * preview, why one FAILED), and an upload form. Files come from a drop (folders walked) or a picker; each
 * is PUT straight to the presigned URLs POST /datasets answers (shared/api/send-upload.ts), with its own
 * progress, then the upload is completed and its validation followed to READY or FAILED.
 */
import { useState } from 'preact/hooks';
import { sendUpload } from '../../../shared/api/send-upload.ts';
import { LAYOUT_OF_KIND, UPLOAD_KINDS, type UploadKind } from '../../../shared/upload-kinds.ts';
import { ApiError, api } from '../api/client.ts';
import type { DatasetVersion, UploadedDataset } from '../api/types.ts';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';
import { useAsync } from '../lib/hooks.ts';
import { pickedFiles, relativeFiles, type UploadFile } from '../lib/upload-files.ts';

const POLL_MS = 1000;

function VersionRow({ id, v, preview }: { id: string; v: DatasetVersion; preview?: string | undefined }) {
  const r = v.report;
  return (
    <tr data-testid={`version-${v.version}`}>
      <td>{v.version}</td>
      <td>
        <span class={`badge status-${v.status.toLowerCase()}`}>{v.status}</span>
      </td>
      <td>{v.kind}</td>
      <td>{r ? `${r.count} items, ${r.shape.join('×')}` : `${v.files.length} files`}</td>
      <td>
        {v.reason && <span class="field-error">{v.reason}</span>}
        {r?.notes.join(' ')}
      </td>
      <td>
        {preview && <img class="preview" src={preview} alt={`A preview of version ${v.version}`} />}
        {v.status === 'READY' && <code class="ref">{`upload:${id}@${v.version}`}</code>}
      </td>
    </tr>
  );
}

function Upload({ dataset }: { dataset: UploadedDataset }) {
  // Read again whenever a version moves, so a version that became READY gets its preview.
  const moves = dataset.versions.map((v) => v.status).join();
  const view = useAsync(() => api.dataset(dataset.id), [dataset.id, moves]);
  const previews = new Map((view.data?.previews ?? []).map((p) => [p.version, p.url]));
  return (
    <section class="upload" data-testid={`upload-${dataset.name}`}>
      <h3>
        {dataset.name} <small class="muted">{dataset.id}</small>
      </h3>
      <table>
        <thead>
          <tr>
            <th>Version</th>
            <th>Status</th>
            <th>Kind</th>
            <th>Items</th>
            <th>Notes</th>
            <th>Preview</th>
          </tr>
        </thead>
        <tbody>
          {dataset.versions
            .slice()
            .reverse()
            .map((v) => (
              <VersionRow key={v.version} id={dataset.id} v={v} preview={previews.get(v.version)} />
            ))}
        </tbody>
      </table>
    </section>
  );
}

interface Sending {
  files: UploadFile[];
  sent: Record<string, number>;
  phase: 'uploading' | 'validating' | 'READY' | 'FAILED';
  reason?: string;
  ref?: string;
}

function UploadForm({ onChanged }: { onChanged: () => void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<UploadKind>('images');
  const [size, setSize] = useState(32);
  const [channels, setChannels] = useState(1);
  const [resize, setResize] = useState(true);
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [error, setError] = useState<string>();
  const [sending, setSending] = useState<Sending>();
  const [over, setOver] = useState(false);
  const busy = sending?.phase === 'uploading' || sending?.phase === 'validating';

  async function start(e: Event) {
    e.preventDefault();
    setError(undefined);
    if (!name) return setError('name the dataset');
    if (files.length === 0) return setError('drop a folder or files, or pick them, first');
    const state: Sending = { files, sent: {}, phase: 'uploading' };
    setSending({ ...state });
    try {
      const created = await api.createDataset({
        name,
        kind,
        layout: LAYOUT_OF_KIND[kind],
        size,
        channels,
        resize,
        files: files.map((f) => ({ path: f.path, bytes: f.file.size })),
      });
      const byPath = new Map(files.map((f) => [f.path, f.file]));
      const complete = await sendUpload(created, {
        read: async (path) => new Uint8Array(await byPath.get(path)!.arrayBuffer()),
        fetch: (url, init) => fetch(url, init),
        onSent: (path, bytes) => {
          state.sent[path] = (state.sent[path] ?? 0) + bytes;
          setSending({ ...state, sent: { ...state.sent } });
        },
      });
      const id = created.dataset.id;
      const version = created.version.version;
      await api.completeDataset(id, complete);
      state.phase = 'validating';
      setSending({ ...state });
      onChanged();
      for (;;) {
        const { dataset } = await api.dataset(id);
        const v = dataset.versions.find((x) => x.version === version);
        if (v?.status === 'READY' || v?.status === 'FAILED') {
          setSending({
            ...state,
            phase: v.status,
            ...(v.reason ? { reason: v.reason } : {}),
            ref: `upload:${id}@${version}`,
          });
          onChanged();
          return;
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    } catch (err) {
      const message =
        err instanceof ApiError && err.problem.errors?.length
          ? `${err.message} (${err.problem.errors.map((f) => `${f.field}: ${f.message}`).join('; ')})`
          : (err as Error).message;
      setSending(undefined);
      setError(message);
    }
  }

  const total = files.reduce((s, f) => s + f.file.size, 0);
  return (
    <form class="upload-form" onSubmit={start}>
      <h2>Upload</h2>
      <div class="field">
        <label for="d-name">Name</label>
        <input
          id="d-name"
          value={name}
          placeholder="my-shapes"
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
        />
        <small class="help">
          Lower-case letters, digits and '-'. A name you have already used makes its next version.
        </small>
      </div>
      <div class="field">
        <label for="d-kind">Kind</label>
        <select
          id="d-kind"
          value={kind}
          onChange={(e) => setKind((e.target as HTMLSelectElement).value as UploadKind)}
        >
          {UPLOAD_KINDS.map((k) => (
            <option key={k} value={k}>
              {k} ({LAYOUT_OF_KIND[k]})
            </option>
          ))}
        </select>
        <small class="help">
          images: one folder; labelled: a sub-folder per class; paired or unpaired: folders A/ and B/.
        </small>
      </div>
      <div class="field">
        <label for="d-size">Size</label>
        <input
          id="d-size"
          type="number"
          min={8}
          max={256}
          value={size}
          onInput={(e) => setSize(Number((e.target as HTMLInputElement).value))}
        />
        <small class="help">The side in pixels the images are stored at.</small>
      </div>
      <div class="field">
        <label for="d-channels">Channels</label>
        <select
          id="d-channels"
          value={channels}
          onChange={(e) => setChannels(Number((e.target as HTMLSelectElement).value))}
        >
          <option value={1}>1 (grey)</option>
          <option value={3}>3 (colour)</option>
        </select>
      </div>
      <label>
        <input
          type="checkbox"
          checked={resize}
          onChange={(e) => setResize((e.target as HTMLInputElement).checked)}
        />{' '}
        Resize images of another size (else they are refused)
      </label>
      <section
        class={over ? 'dropzone over' : 'dropzone'}
        data-testid="dropzone"
        aria-label="Drop a folder or files"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          if (e.dataTransfer)
            relativeFiles(e.dataTransfer).then(setFiles, (err: Error) => setError(err.message));
        }}
      >
        <p>Drop a folder or images here, or</p>
        <label>
          Pick files{' '}
          <input
            type="file"
            multiple
            accept=".png,.jpg,.jpeg,.zip"
            onChange={(e) => setFiles(pickedFiles((e.target as HTMLInputElement).files, false))}
          />
        </label>{' '}
        <label>
          Pick a folder{' '}
          <input
            type="file"
            // A non-standard attribute every current browser takes (the property, so true, not "").
            {...{ webkitdirectory: true }}
            onChange={(e) => setFiles(pickedFiles((e.target as HTMLInputElement).files, true))}
          />
        </label>
        {files.length > 0 && (
          <p data-testid="chosen">
            {files.length} files, {(total / 1024).toFixed(0)} KiB
          </p>
        )}
      </section>
      <button type="submit" disabled={busy}>
        Upload
      </button>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      {sending && (
        <div class="sending" aria-live="polite">
          <p data-testid="upload-phase">
            {sending.phase === 'uploading' &&
              `Uploading: ${Object.keys(sending.sent).length} of ${sending.files.length} files sent`}
            {sending.phase === 'validating' && 'Validating…'}
            {sending.phase === 'READY' && `READY: train on it as ${sending.ref}`}
            {sending.phase === 'FAILED' && `FAILED: ${sending.reason ?? 'no reason given'}`}
          </p>
          {sending.phase === 'uploading' && (
            <ul class="file-progress">
              {sending.files.map((f) => (
                <li key={f.path}>
                  <progress max={f.file.size} value={sending.sent[f.path] ?? 0} /> {f.path}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </form>
  );
}

export function DatasetsPage() {
  const catalog = useAsync(() => api.datasetCatalog(), []);
  return (
    <>
      <h1 tabIndex={-1}>Datasets</h1>
      <UploadForm onChanged={catalog.reload} />
      <h2>Your uploads</h2>
      {catalog.error && <ErrorBox error={catalog.error} retry={catalog.reload} what="Your datasets" />}
      {!catalog.data && !catalog.error && <Loading what="the datasets" />}
      {catalog.data &&
        (catalog.data.uploads.length === 0 ? (
          <Empty>No uploads yet.</Empty>
        ) : (
          catalog.data.uploads.map((d) => <Upload key={d.id} dataset={d} />)
        ))}
      <h2>Built in</h2>
      <ul class="builtins">
        {catalog.data?.datasets.map((d) => (
          <li key={d.id}>
            {d.preview && (
              <img class="preview" src={d.preview} alt={`A preview of ${d.title}`} loading="lazy" />
            )}
            <strong>{d.title}</strong> <code>{d.id}</code> <span class="muted">{d.kind}</span>
          </li>
        ))}
      </ul>
    </>
  );
}
