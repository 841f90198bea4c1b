import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from './cli-context';

type Run = (action: (ctx: CliContext) => Promise<{ json: unknown; text: string; exitCode?: number }>) => Promise<void>;

/** `avatar-studio import-avatar FILE --project P [--name N]`: an avatar bundle (.avatar) → a new avatar (services/export/import-avatar.ts). */
export function addImportAvatarCommand(program: Command, run: Run): void {
  program
    .command('import-avatar <file>')
    .description('import an avatar bundle (.avatar, written by `export --format bundle`) as a new avatar of a project, bit-exactly')
    .requiredOption('--project <project>', 'the project to add the avatar to (id or exact name, see `projects list`)')
    .option('--name <name>', "the avatar's name (default: the name stored in the bundle)")
    .action((file: string, o: { project: string; name?: string }) =>
      run(async (ctx) => {
        const project = await ctx.resolveProject(o.project);
        const avatar = await ctx.call('avatars.import', { projectId: project.id, path: path.resolve(file), name: o.name });
        return { json: { avatar }, text: `Imported ${avatar.name} as avatar ${avatar.id} (v${avatar.version}, ${avatar.gaussians ?? '?'} Gaussians) into “${project.name}” (${avatar.projectId})` };
      }),
    );
}
