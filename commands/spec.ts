/** The shape of one `-sameroom` verb. Each verb lives in its own file and is listed in index.ts. */
import type { Bot } from '../src/bot.js';
import type { Author, InboundPost, RoomKey, RoomRef } from '../src/model.js';
import type { Services } from '../src/services.js';

export interface CommandContext {
  readonly s: Services;
  readonly bot: Bot;
  readonly room: RoomRef;
  readonly roomKey: RoomKey;
  readonly author: Author;
  /** `platform:userId (name)`, for the security log */
  readonly actor: string;
  /** positional words after the verb */
  readonly args: readonly string[];
  readonly message: InboundPost;
  readonly receivedAt: number;
  /** the command word (`sameroom`), for answers that show a command */
  readonly word: string;
}

export interface CommandSpec {
  readonly name: string;
  /** arguments as shown in help, e.g. `<code or portal URL>` */
  readonly usage: string;
  readonly help: string;
  /** `admin`: only an admin of the room may run it (commands/permissions.ts); anyone otherwise. */
  readonly requires?: 'admin';
  /** The answer posted in the room (canonical markup). A failed precondition is an answer, not a throw. */
  run(ctx: CommandContext): Promise<string>;
}
