// The simulation as readable text, one step a line: what `simulate --format text` prints and what the
// golden .trace files hold. Deterministic: the same simulation gives the same bytes.
import type { SimPath, Simulation } from '../protocol/simulation';

export function formatSimulationText(sim: Simulation): string {
  const out: string[] = [];
  const o = sim.options;
  out.push(
    `simulate ${sim.function}() in ${sim.file}:${sim.startLine}-${sim.endLine} (${sim.scenario === 'module' ? "the module's life" : 'the function'})`,
  );
  out.push(
    `options: delayed release ${o.debugKobjectRelease ? 'on' : 'off'}, sysfs reader ${o.sysfsReader ? 'on' : 'off'}, module unload ${o.moduleUnload ? 'on' : 'off'}`,
  );
  if (sim.objects.length) {
    out.push('objects:');
    for (const obj of sim.objects) {
      const bits: string[] = [obj.kind, obj.memory];
      if (obj.type) bits.unshift(obj.type);
      if (obj.release) bits.push(`release ${obj.release}()`);
      out.push(`  ${obj.id}: ${bits.join(', ')}`);
    }
  }
  for (const n of sim.notes) out.push(`note: ${n}`);
  if (sim.truncated) out.push(`truncated: ${sim.truncated}`);
  sim.paths.forEach((p, i) => out.push(...formatPath(p, i + 1, sim.file)));
  const bugs = sim.paths.filter((p) => p.verdict === 'bug').length;
  out.push(`${sim.paths.length} path${sim.paths.length === 1 ? '' : 's'}, ${bugs} with a violation`);
  return out.join('\n') + '\n';
}

/** A neighbour's name as seen from the simulated file's folder (`core.c` beside `patch.c`). */
function short(other: string, file: string): string {
  const slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  const dir = slash >= 0 ? file.slice(0, slash + 1) : '';
  return dir && other.startsWith(dir) ? other.slice(dir.length) : other;
}

function formatPath(p: SimPath, n: number, file: string): string[] {
  const out: string[] = [''];
  const folded = p.folded ? ` (${p.folded} more folded into it)` : '';
  out.push(`path ${n}: ${p.verdict}${folded}`);
  out.push(`  when: ${p.conditions.length ? p.conditions.join('; ') : 'always'}`);
  for (const s of p.steps) {
    const where = s.line ? `${s.file && s.file !== file ? `${short(s.file, file)}:` : ''}${s.line}` : '-';
    const state = s.object !== undefined ? `  [${s.object}: refcount ${s.refcount}, ${s.state}]` : '';
    out.push(`  ${String(s.index).padStart(2)} ${where.padEnd(10)} ${s.actor.padEnd(14)} ${s.event}${state}`);
  }
  for (const v of p.violations) {
    const where = `${v.file && v.file !== file ? `${short(v.file, file)}:` : ''}${v.line}`;
    out.push(`  ! ${v.kind} at ${where} (step ${v.step}, ${v.actor}): ${v.message}`);
  }
  return out;
}
