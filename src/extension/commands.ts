// The commands the client registers: analyze the workspace, show the output, restart the server, and
// the two the server's code actions call (disable a rule in the workspace settings, open a rule's doc).
import * as vscode from 'vscode';
import {
  WorkDoneProgress,
  type LanguageClient,
  type WorkDoneProgressParams,
} from 'vscode-languageclient/node';
import {
  ANALYZE_WORKSPACE_REQUEST,
  COMMANDS,
  type AnalyzeWorkspaceParams,
  type AnalyzeWorkspaceResult,
} from '../protocol/requests';

/** What the commands need from the extension: the client, and its lifecycle as the user controls it. */
export interface CommandHost {
  readonly client: LanguageClient;
  readonly output: vscode.LogOutputChannel;
  readonly extensionUri: vscode.Uri;
  /** Whether kobjectLifetime.enable is on (the client runs only then). */
  enabled(): boolean;
  /** Stops (if running) and starts the server with a fresh crash budget. */
  restart(): Promise<void>;
}

const RULE_ID = /^[a-z][a-z0-9-]*$/;
let progressTokens = 0;

export function registerCommands(host: CommandHost): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.analyzeWorkspace, () => analyzeWorkspace(host)),
    vscode.commands.registerCommand(COMMANDS.showOutput, () => host.output.show(true)),
    vscode.commands.registerCommand(COMMANDS.restartServer, async () => {
      await host.restart();
      host.output.info('server restarted on request');
    }),
    vscode.commands.registerCommand(COMMANDS.disableRule, (ruleId: unknown) => disableRule(ruleId)),
    vscode.commands.registerCommand(COMMANDS.showRuleDoc, (ruleId: unknown) => showRuleDoc(host, ruleId)),
  ];
}

/**
 * Sends ANALYZE_WORKSPACE_REQUEST for every workspace folder inside a cancellable progress
 * notification; the server reports progress on the token and publishes the diagnostics itself.
 * Returns the server's result (undefined when nothing was asked) so that scripts and tests can read it.
 */
async function analyzeWorkspace(host: CommandHost): Promise<AnalyzeWorkspaceResult | undefined> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  if (folders.length === 0) {
    void vscode.window.showInformationMessage('Kobject Lifetime: open a folder to analyze its C files.');
    return undefined;
  }
  if (!host.enabled()) {
    void vscode.window.showInformationMessage(
      'Kobject Lifetime is disabled (kobjectLifetime.enable): enable it to analyze the workspace.',
    );
    return undefined;
  }
  const client = host.client;
  if (!client.isRunning()) await client.start();
  const result = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: 'Kobject Lifetime: analyzing the workspace',
      cancellable: true,
    },
    async (progress, token) => {
      const workDoneToken = `kobjectLifetime/analyzeWorkspace/${++progressTokens}`;
      let reported = 0;
      const sub = client.onProgress(WorkDoneProgress.type, workDoneToken, (p) => {
        if (p.kind === 'end') return;
        const increment = p.percentage !== undefined ? Math.max(0, p.percentage - reported) : undefined;
        if (p.percentage !== undefined) reported = Math.max(reported, p.percentage);
        progress.report({ message: p.message, increment });
      });
      try {
        const params: AnalyzeWorkspaceParams & WorkDoneProgressParams = {
          folders: folders.map((f) => f.uri.toString()),
          workDoneToken,
        };
        return await client.sendRequest<AnalyzeWorkspaceResult>(ANALYZE_WORKSPACE_REQUEST, params, token);
      } catch (e) {
        if (token.isCancellationRequested) return undefined;
        throw e;
      } finally {
        sub.dispose();
      }
    },
  );
  if (!result || result.cancelled) {
    host.output.info('workspace analysis cancelled');
    void vscode.window.showInformationMessage('Kobject Lifetime: workspace analysis cancelled.');
    return result;
  }
  const skipped = result.skipped ? ` (${result.skipped} skipped: too large, binary or unreadable)` : '';
  const summary =
    `Kobject Lifetime: ${result.findings} finding${result.findings === 1 ? '' : 's'} in ` +
    `${result.filesWithFindings} of ${result.files} C file${result.files === 1 ? '' : 's'}${skipped}.`;
  host.output.info(summary);
  if (result.findings > 0) await vscode.commands.executeCommand('workbench.actions.view.problems');
  void vscode.window.showInformationMessage(summary);
  return result;
}

/** Writes kobjectLifetime.rules[ruleId] = "off" into the workspace settings (user settings without a folder). */
async function disableRule(ruleId: unknown): Promise<void> {
  if (typeof ruleId !== 'string' || !RULE_ID.test(ruleId)) return;
  const config = vscode.workspace.getConfiguration('kobjectLifetime');
  const inspected = config.inspect<Record<string, string>>('rules');
  const inWorkspace = (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
  const target = inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const current = (inWorkspace ? inspected?.workspaceValue : inspected?.globalValue) ?? {};
  await config.update('rules', { ...current, [ruleId]: 'off' }, target);
  void vscode.window.showInformationMessage(
    `Kobject Lifetime: rule ${ruleId} is off in the ${inWorkspace ? 'workspace' : 'user'} settings.`,
  );
}

/** Opens the bundled docs/rules/<id>.md in the markdown preview. */
async function showRuleDoc(host: CommandHost, ruleId: unknown): Promise<void> {
  if (typeof ruleId !== 'string' || !RULE_ID.test(ruleId)) return;
  const doc = vscode.Uri.joinPath(host.extensionUri, 'docs', 'rules', `${ruleId}.md`);
  try {
    await vscode.workspace.fs.stat(doc);
  } catch {
    void vscode.window.showWarningMessage(`Kobject Lifetime: no documentation for rule ${ruleId}.`);
    return;
  }
  await vscode.commands.executeCommand('markdown.showPreview', doc);
}
