// Messages between the extension host (src/extension/panel.ts) and the simulator panel's script
// (src/webview/main.ts). The host sends whole snapshots, so rendering is idempotent; the webview owns
// only view state (selected path and step), which it keeps with getState/setState.
import type { SimulateResult, SimulationOptions } from './simulation';

/** The webview panel's type id (also the key of its WebviewPanelSerializer). */
export const SIMULATOR_VIEW_TYPE = 'kobjectLifetime.simulator';

/** A safe fix the host found for one violation of one path (applied through the editor's code action). */
export interface PanelFix {
  path: number;
  /** Index in the path's `violations`. */
  violation: number;
  /** The code action's title ("Use put_device(&s->dev) instead"). */
  title: string;
}

/** Everything the panel shows, sent whole after every change. */
export interface PanelSnapshot {
  /** The simulated document (a URI string), empty before the first simulation. */
  uri: string;
  /** The document's name as shown to people (workspace-relative path). */
  fileLabel: string;
  /** The last answer; absent before the first simulation. */
  result?: SimulateResult;
  /** True while a request is in flight (the previous result stays visible). */
  busy: boolean;
  /** One line for the status bar of the panel ("No function at line 12", "Fix applied"). */
  status?: string;
  options: SimulationOptions;
  followCursor: boolean;
  fixes: PanelFix[];
  /** Increases with every new result; the webview keeps its selection when the function is the same. */
  generation: number;
  /**
   * The view state the host remembers from the last panel (closed and opened again): a new webview
   * whose own state is empty starts from it.
   */
  restore?: PanelViewState;
}

/** View state kept by the webview (getState/setState) and handed back on `ready` and by the serializer. */
export interface PanelViewState {
  uri?: string;
  function?: string;
  /** The selected path's conditions joined (stable across re-runs), and its index as a fallback. */
  pathKey?: string;
  path?: number;
  step?: number;
  options?: SimulationOptions;
  followCursor?: boolean;
}

/** host → webview */
export type ToWebview = { type: 'snapshot'; snapshot: PanelSnapshot };

/** webview → host */
export type FromWebview =
  /** The script is running; the host answers with a snapshot. `state` is the restored view state. */
  | { type: 'ready'; state?: PanelViewState }
  /** The view state changed (the host remembers it for the next panel). */
  | { type: 'viewState'; state: PanelViewState }
  /** The selected step changed: highlight its line in the editor (without moving the cursor). */
  | { type: 'showStep'; path: number; step: number }
  /** The user clicked an event: move the editor's cursor to its line. */
  | { type: 'revealStep'; path: number; step: number }
  | { type: 'setOptions'; options: SimulationOptions }
  | { type: 'setFollowCursor'; follow: boolean }
  | { type: 'applyFix'; path: number; violation: number }
  /** Run the simulation again (the "Re-run" button). */
  | { type: 'rerun' };
