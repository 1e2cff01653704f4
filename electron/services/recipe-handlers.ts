// "Use settings from a painted file…": the system dialog picks a file Pastiche exported, the
// engine reads its recipe (electron/engine/recipe-io.ts) and checks it against the loaded pack
// and styles, and the page gets the settings to apply. The file is only read, never kept.

import type { RecipeChoice } from '../common/ipc-contract.js';
import type { EnginePort } from './engine-port.js';
import { handler, type Handlers } from './ipc-handler.js';
import { ArgError } from './validate.js';

export interface RecipeHandlerDeps {
  /** Resolves to the engine once a device switch in progress is done. */
  ready(): Promise<EnginePort>;
  /** The system's open dialog for one image file (null: cancelled). */
  chooseRecipe?(defaultPath?: string): Promise<string | null>;
  /** Where the dialog opens: the last output folder. */
  defaultPath(): string | undefined;
}

export function createRecipeHandlers(deps: RecipeHandlerDeps): Pick<Handlers, 'recipe:open'> {
  return {
    'recipe:open': handler<'recipe:open'>(0, async (): Promise<RecipeChoice | null> => {
      if (!deps.chooseRecipe) throw new ArgError('Opening a painted file is not available here', 'not-allowed');
      const file = await deps.chooseRecipe(deps.defaultPath());
      if (!file) return null;
      const e = await deps.ready();
      if (!e.recipeFrom) throw new ArgError('This engine cannot read recipes', 'not-allowed');
      const { recipe, options } = await e.recipeFrom(file);
      return { file, ...options, styleTitle: recipe.styleTitle, appVersion: recipe.appVersion };
    }),
  };
}
