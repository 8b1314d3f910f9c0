// The lifecycle simulator panel: renders the host's snapshot (paths, sequence diagram, refcount charts,
// object states, violations) and sends the user's choices back. Rendering is a pure function of the
// last snapshot and the view state, so it simply runs again after every change.
import type { SimPath, Simulation, SimulationOptions } from '../protocol/simulation';
import type { FromWebview, PanelSnapshot, PanelViewState, ToWebview } from '../protocol/webview';
import { h, s } from './dom';
import {
  chartGeometry,
  clamp,
  explainViolation,
  lanes,
  moveStep,
  objectRows,
  pathBadge,
  pathKey,
  pathTitle,
  reconcileSelection,
  refcountSeries,
  sequenceRows,
  stepKey,
  summary,
  type Selection,
} from './view-model';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): PanelViewState | undefined;
  setState(state: PanelViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const root = document.getElementById('app') ?? document.body;

let snapshot: PanelSnapshot | undefined;
const saved = vscode.getState();
let view: PanelViewState = saved ?? {};
let selection: Selection = { path: view.path ?? 0, step: view.step ?? 0 };

function post(message: FromWebview): void {
  vscode.postMessage(message);
}

function simulation(): Simulation | undefined {
  const r = snapshot?.result;
  return r !== undefined && r.ok ? r.simulation : undefined;
}

function currentPath(): SimPath | undefined {
  return simulation()?.paths[selection.path];
}

function saveView(): void {
  const sim = simulation();
  const path = currentPath();
  view = {
    ...view,
    uri: snapshot?.uri ?? view.uri,
    function: sim?.function ?? view.function,
    pathKey: path !== undefined ? pathKey(path) : view.pathKey,
    path: selection.path,
    step: selection.step,
    options: snapshot?.options ?? view.options,
    followCursor: snapshot?.followCursor ?? view.followCursor,
  };
  vscode.setState(view);
  post({ type: 'viewState', state: view });
}

/** Changes the selection, re-renders, and asks the host to highlight the step's line. */
function select(next: Selection, opts: { reveal?: boolean; focusKey?: string } = {}): void {
  const sim = simulation();
  if (sim === undefined) return;
  const path = Math.min(Math.max(next.path, 0), sim.paths.length - 1);
  selection = { path, step: clamp(next.step, sim.paths[path]?.steps.length ?? 0) };
  saveView();
  render(opts.focusKey);
  // Keep the current step in sight while stepping through a long sequence.
  root.querySelector('.event[aria-current="step"]')?.scrollIntoView({ block: 'nearest' });
  post({
    type: opts.reveal === true ? 'revealStep' : 'showStep',
    path: selection.path,
    step: selection.step,
  });
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const message = event.data;
  if (message.type !== 'snapshot') return;
  // A new panel (no state of its own) starts where the last one was left.
  if (snapshot === undefined && saved === undefined && message.snapshot.restore !== undefined) {
    view = message.snapshot.restore;
    selection = { path: view.path ?? 0, step: view.step ?? 0 };
  }
  snapshot = message.snapshot;
  const sim = simulation();
  if (sim !== undefined) {
    const sameDocument = view.uri === snapshot.uri;
    selection = reconcileSelection(sim, {
      function: sameDocument ? view.function : undefined,
      pathKey: view.pathKey,
      path: selection.path,
      step: selection.step,
    });
  }
  saveView();
  render();
  if (sim !== undefined && sim.paths.length > 0) {
    post({ type: 'showStep', path: selection.path, step: selection.step });
  }
});

document.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target as HTMLElement | null;
  // The range input steps itself with the arrow keys (and fires `input`); text fields keep their keys.
  if (target instanceof HTMLInputElement && target.type !== 'checkbox') return;
  const key = stepKey(event.key);
  const path = currentPath();
  if (key === undefined || path === undefined) return;
  event.preventDefault();
  const focusKey = target?.dataset['key'];
  select({ path: selection.path, step: moveStep(selection.step, path.steps.length, key) }, { focusKey });
});

// ------------------------------------------------------------------------------------------ render

function render(focusKey?: string): void {
  const active =
    document.activeElement instanceof HTMLElement ? document.activeElement.dataset['key'] : undefined;
  root.replaceChildren(...renderAll());
  const key = focusKey ?? active;
  if (key !== undefined) {
    const again = root.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
    again?.focus();
  }
}

function renderAll(): Node[] {
  if (snapshot === undefined) {
    return [h('p', { class: 'empty' }, 'Starting the simulator…')];
  }
  const nodes: Node[] = [renderHeader(snapshot), renderToggles(snapshot.options, snapshot.followCursor)];
  const result = snapshot.result;
  if (result === undefined) {
    nodes.push(
      h(
        'p',
        { class: 'empty' },
        'Place the cursor inside a function that uses kobjects, devices or krefs and run “Kobject Lifetime: Simulate Function at Cursor”.',
      ),
    );
    return nodes;
  }
  if (!result.ok) {
    nodes.push(h('p', { class: 'error', role: 'alert' }, result.error));
    return nodes;
  }
  const sim = result.simulation;
  if (sim.paths.length === 0) {
    nodes.push(h('p', { class: 'empty' }, 'The simulation found no path through this function.'));
    const notes = renderNotes(sim);
    if (notes !== null) nodes.push(notes);
    return nodes;
  }
  const path = sim.paths[selection.path] ?? sim.paths[0];
  if (path === undefined) return nodes;
  nodes.push(
    h(
      'div',
      { class: 'layout' },
      renderPaths(sim),
      h(
        'div',
        { class: 'detail' },
        renderViolations(sim, path),
        renderStepper(sim, path),
        renderSequence(sim, path),
        renderCharts(sim, path),
        renderObjects(sim, path),
        renderNotes(sim),
      ),
    ),
  );
  return nodes;
}

function renderHeader(snap: PanelSnapshot): HTMLElement {
  const sim = simulation();
  const title = sim !== undefined ? `${sim.function}()` : 'Lifecycle simulator';
  const scenario =
    sim !== undefined
      ? sim.scenario === 'module'
        ? 'module life: init → activity → exit → unload'
        : 'one call'
      : '';
  return h(
    'header',
    { class: 'header' },
    h(
      'div',
      { class: 'title' },
      h('h1', { id: 'title' }, title),
      snap.fileLabel !== '' && h('span', { class: 'file' }, snap.fileLabel),
      scenario !== '' && h('span', { class: 'scenario' }, scenario),
    ),
    h(
      'div',
      { class: 'header-side' },
      sim !== undefined && h('span', { class: 'summary', id: 'summary' }, summary(sim)),
      h(
        'span',
        { class: 'status', role: 'status', 'aria-live': 'polite', id: 'status' },
        snap.busy ? 'Simulating…' : (snap.status ?? ''),
      ),
      button('Re-run', 'rerun', () => post({ type: 'rerun' }), {
        'aria-label': 'Run the simulation again',
        disabled: snap.uri === '',
      }),
    ),
  );
}

function renderToggles(options: SimulationOptions, follow: boolean): HTMLElement {
  const toggle = (key: keyof SimulationOptions, label: string, hint: string): HTMLElement =>
    checkbox(`opt-${key}`, label, hint, options[key], (checked) =>
      post({ type: 'setOptions', options: { ...options, [key]: checked } }),
    );
  return h(
    'fieldset',
    { class: 'toggles' },
    h('legend', {}, 'Scenario'),
    toggle(
      'debugKobjectRelease',
      'CONFIG_DEBUG_KOBJECT_RELEASE',
      'The release runs 1–4 s after the last put, after everything else',
    ),
    toggle(
      'sysfsReader',
      'sysfs reader',
      'A concurrent reader uses the sysfs attributes while they are visible',
    ),
    toggle('moduleUnload', 'module unload', 'The module is unloaded after module_exit returns'),
    checkbox(
      'follow',
      'follow cursor',
      'Simulate the function under the cursor and re-run on edits',
      follow,
      (checked) => post({ type: 'setFollowCursor', follow: checked }),
    ),
  );
}

function checkbox(
  key: string,
  label: string,
  hint: string,
  checked: boolean,
  onChange: (checked: boolean) => void,
): HTMLElement {
  const input = h('input', { type: 'checkbox', id: key, 'data-key': key, checked, title: hint });
  input.addEventListener('change', () => onChange(input.checked));
  return h('label', { class: 'toggle', for: key, title: hint }, input, h('span', {}, label));
}

function button(
  label: string,
  key: string,
  onClick: () => void,
  attrs: Record<string, string | boolean | undefined> = {},
): HTMLButtonElement {
  const b = h('button', { type: 'button', 'data-key': key, ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}

function renderPaths(sim: Simulation): HTMLElement {
  const items = sim.paths.map((p, i) => {
    const badge = pathBadge(p);
    const selected = i === selection.path;
    const b = h(
      'button',
      {
        type: 'button',
        class: selected ? 'path selected' : 'path',
        'data-key': `path-${i}`,
        'data-path': i,
        'data-verdict': badge.kind,
        'aria-pressed': selected ? 'true' : 'false',
        'aria-label': `Path ${i + 1}: ${badge.description}; ${pathTitle(p)}`,
      },
      h('span', { class: `badge badge-${badge.kind}` }, badge.label),
      h('span', { class: 'path-name' }, `Path ${i + 1}`),
      h('span', { class: 'conditions' }, pathTitle(p)),
      p.folded > 0 && h('span', { class: 'folded' }, `+${p.folded} similar`),
    );
    b.addEventListener('click', () => {
      if (i === selection.path) return;
      const v = p.violations[0];
      select({ path: i, step: v?.step ?? 0 }, { focusKey: `path-${i}` });
    });
    b.addEventListener('keydown', (event) => {
      const delta = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0;
      if (delta === 0) return;
      event.preventDefault();
      event.stopPropagation();
      const next = Math.min(Math.max(i + delta, 0), sim.paths.length - 1);
      const target = sim.paths[next];
      select({ path: next, step: target?.violations[0]?.step ?? 0 }, { focusKey: `path-${next}` });
    });
    return h('li', {}, b);
  });
  return h(
    'nav',
    { class: 'paths', 'aria-label': 'Paths' },
    h('h2', {}, 'Paths'),
    h('ul', {}, ...items),
    sim.truncated !== undefined && h('p', { class: 'note' }, `Only some paths are listed: ${sim.truncated}`),
  );
}

function renderViolations(sim: Simulation, path: SimPath): HTMLElement {
  if (path.violations.length === 0) {
    return h(
      'section',
      { class: 'verdict verdict-ok', 'aria-label': 'Verdict' },
      h('span', { class: 'badge badge-ok' }, 'ok'),
      h('span', {}, ' No lifetime violation on this path.'),
    );
  }
  const fixes = snapshot?.fixes ?? [];
  return h(
    'section',
    { class: 'verdict verdict-bug', 'aria-label': 'Violations' },
    ...path.violations.map((v, vi) => {
      const x = explainViolation(sim, path, v);
      const fix = fixes.find((f) => f.path === selection.path && f.violation === vi);
      return h(
        'div',
        { class: 'violation', 'data-kind': v.kind },
        h('p', { class: 'message' }, h('span', { class: `badge badge-${v.kind}` }, x.title), ' ', x.message),
        h(
          'div',
          { class: 'actions' },
          h('span', { class: 'where' }, x.where),
          button(
            `Go to step ${x.step + 1}`,
            `violation-${vi}`,
            () =>
              select({ path: selection.path, step: x.step }, { reveal: true, focusKey: `violation-${vi}` }),
            { 'aria-label': `Go to step ${x.step + 1}, where the violation happens` },
          ),
          fix !== undefined &&
            button(
              `Apply fix: ${fix.title}`,
              `fix-${vi}`,
              () => post({ type: 'applyFix', path: selection.path, violation: vi }),
              { class: 'primary', disabled: snapshot?.busy === true },
            ),
        ),
      );
    }),
  );
}

function renderStepper(sim: Simulation, path: SimPath): HTMLElement {
  const n = path.steps.length;
  const step = path.steps[selection.step];
  const go = (to: number, key: string) => () => select({ path: selection.path, step: to }, { focusKey: key });
  const range = h('input', {
    type: 'range',
    id: 'timeline',
    'data-key': 'timeline',
    min: 0,
    max: Math.max(n - 1, 0),
    step: 1,
    value: selection.step,
    'aria-label': 'Timeline: step',
    'aria-valuetext': step !== undefined ? `Step ${selection.step + 1} of ${n}: ${step.event}` : '',
  });
  range.addEventListener('input', () =>
    select({ path: selection.path, step: Number(range.value) }, { focusKey: 'timeline' }),
  );
  const row = sequenceRows(sim, path)[selection.step];
  return h(
    'section',
    { class: 'stepper', 'aria-label': 'Step through' },
    h(
      'div',
      { class: 'stepper-buttons' },
      button('|◀', 'first', go(0, 'first'), {
        'aria-label': 'First step (Home)',
        title: 'First step (Home)',
      }),
      button('◀', 'prev', go(selection.step - 1, 'prev'), {
        'aria-label': 'Previous step (← or k)',
        title: 'Previous step (← or k)',
      }),
      h('span', { class: 'step-count', id: 'step-count' }, `Step ${selection.step + 1} of ${n}`),
      button('▶', 'next', go(selection.step + 1, 'next'), {
        'aria-label': 'Next step (→ or j)',
        title: 'Next step (→ or j)',
      }),
      button('▶|', 'last', go(n - 1, 'last'), { 'aria-label': 'Last step (End)', title: 'Last step (End)' }),
      range,
    ),
    row !== undefined &&
      h(
        'p',
        { class: 'current-step', id: 'current-step' },
        h('span', { class: `actor actor-${row.actor}` }, lanes(sim, path)[row.lane]?.label ?? row.actor),
        ' ',
        row.event,
        row.where !== '' && h('span', { class: 'where' }, ` — ${row.where}`),
        row.change !== '' && h('span', { class: 'change' }, ` — ${row.change}`),
      ),
  );
}

/**
 * The sequence diagram: a CSS grid with the step numbers in the first column and one column per lane.
 * Every lane has a lifeline down its column; each step's box starts at its actor's lane and may run
 * over the lanes to its right (one step per row), so rows stay one or two lines high.
 */
function place(node: HTMLElement, row: number | string, column: string): HTMLElement {
  node.style.gridRow = String(row);
  node.style.gridColumn = column;
  return node;
}

function renderSequence(sim: Simulation, path: SimPath): HTMLElement {
  const ls = lanes(sim, path);
  const rows = sequenceRows(sim, path);
  const grid = h('div', { class: 'sequence', role: 'list', 'aria-label': 'Sequence of steps' });
  grid.style.gridTemplateColumns = `4.5em repeat(${ls.length}, minmax(5em, 1fr))`;
  grid.append(place(h('div', { class: 'lane-head gutter', 'aria-hidden': 'true' }, 'step'), 1, '1'));
  for (const [k, l] of ls.entries()) {
    grid.append(
      place(
        h('div', { class: `lane-head actor-${l.actor}`, 'aria-hidden': 'true' }, l.label),
        1,
        String(k + 2),
      ),
    );
  }
  for (const row of rows) {
    const current = row.step === selection.step;
    const cls = ['row', current ? 'current' : '', row.violations.length > 0 ? 'violating' : '']
      .filter((c) => c !== '')
      .join(' ');
    grid.append(place(h('div', { class: `row-bg ${cls}`, 'aria-hidden': 'true' }), row.step + 2, '1 / -1'));
  }
  for (const [k, l] of ls.entries()) {
    const lifeline = h('div', { class: `lifeline actor-${l.actor}`, 'aria-hidden': 'true' });
    grid.append(place(lifeline, `2 / ${rows.length + 2}`, String(k + 2)));
  }
  for (const row of rows) {
    const current = row.step === selection.step;
    grid.append(
      place(
        h(
          'div',
          { class: 'gutter', 'aria-hidden': 'true' },
          String(row.step + 1),
          row.time !== '' && h('span', { class: 'time' }, row.time),
        ),
        row.step + 2,
        '1',
      ),
    );
    const label = [
      `Step ${row.step + 1}`,
      ls[row.lane]?.label ?? row.actor,
      row.where,
      row.event,
      row.change,
      row.violations.map((v) => `violation: ${v.kind}`).join(', '),
    ]
      .filter((x) => x !== '')
      .join(', ');
    const b = h(
      'button',
      {
        type: 'button',
        class: `event actor-${row.actor}${current ? ' current' : ''}${row.violations.length > 0 ? ' violating' : ''}`,
        'data-key': `step-${row.step}`,
        'data-step': row.step,
        'aria-label': label,
        'aria-current': current ? 'step' : undefined,
        title: row.where !== '' ? `${row.where} — click to go there` : row.event,
      },
      h(
        'span',
        { class: 'event-text' },
        row.violations.length > 0 && h('span', { class: 'mark', 'aria-hidden': 'true' }, '⚠ '),
        row.event,
      ),
      h('span', { class: 'event-meta' }, [row.where, row.change].filter((x) => x !== '').join(' · ')),
    );
    b.addEventListener('click', () =>
      select({ path: selection.path, step: row.step }, { reveal: true, focusKey: `step-${row.step}` }),
    );
    grid.append(
      place(h('div', { class: 'step', role: 'listitem' }, b), row.step + 2, `${row.lane + 2} / -1`),
    );
  }
  return h('section', { class: 'sequence-section' }, h('h2', {}, 'Sequence'), grid);
}

const CHART_W = 480;
const CHART_H = 64;

function renderCharts(sim: Simulation, path: SimPath): HTMLElement {
  const n = path.steps.length;
  const charts = refcountSeries(sim, path)
    .filter((series) => series.points.length > 0)
    .map((series) => {
      const g = chartGeometry(series, n, CHART_W, CHART_H);
      const svg = s('svg', {
        class: 'chart',
        viewBox: `0 0 ${CHART_W} ${CHART_H}`,
        preserveAspectRatio: 'none',
        role: 'img',
        'aria-label': `Refcount of ${series.name} over ${n} steps, from ${series.points[0]?.refcount ?? 0} to ${series.points[series.points.length - 1]?.refcount ?? 0}`,
      });
      for (let r = 0; r <= series.max; r++) {
        svg.append(s('line', { class: 'grid-line', x1: 0, x2: CHART_W, y1: g.y(r), y2: g.y(r) }));
      }
      const cursorX = g.xs[selection.step];
      if (cursorX !== undefined) {
        svg.append(s('line', { class: 'cursor', x1: cursorX, x2: cursorX, y1: 0, y2: CHART_H }));
      }
      svg.append(s('path', { class: 'refcount', d: g.d }));
      for (const p of series.points) {
        if (!p.freed) continue;
        const x = g.xs[p.step];
        if (x !== undefined) svg.append(s('circle', { class: 'freed', cx: x, cy: g.y(p.refcount), r: 3 }));
      }
      const now = series.points.filter((p) => p.step <= selection.step).pop();
      return h(
        'figure',
        { class: 'chart-figure' },
        h(
          'figcaption',
          {},
          h('span', { class: 'object-name' }, series.name),
          ` refcount ${now !== undefined ? now.refcount : '–'}${now?.freed === true ? ' (freed)' : ''} · max ${series.max}`,
        ),
        svg,
      );
    });
  return h(
    'section',
    { class: 'charts', 'aria-label': 'Refcounts' },
    h('h2', {}, 'Refcount per object'),
    ...charts,
  );
}

function renderObjects(sim: Simulation, path: SimPath): HTMLElement {
  const rows = objectRows(sim, path, selection.step);
  const th = (t: string): HTMLElement => h('th', { scope: 'col' }, t);
  return h(
    'section',
    { class: 'objects' },
    h(
      'table',
      {},
      h('caption', {}, `Objects after step ${selection.step + 1}`),
      h(
        'thead',
        {},
        h('tr', {}, th('object'), th('type'), th('refcount'), th('state'), th('memory'), th('release')),
      ),
      h(
        'tbody',
        {},
        ...rows.map((r) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, r.name),
            h('td', {}, r.type),
            h('td', { class: 'num' }, r.refcount),
            h('td', {}, r.state),
            h('td', {}, r.memory),
            h('td', {}, r.release),
          ),
        ),
      ),
    ),
  );
}

function renderNotes(sim: Simulation): HTMLElement | null {
  if (sim.notes.length === 0) return null;
  return h(
    'section',
    { class: 'notes' },
    h('h2', {}, 'Notes'),
    h('ul', {}, ...sim.notes.map((n) => h('li', {}, n))),
  );
}

render();
post({ type: 'ready', state: view });
