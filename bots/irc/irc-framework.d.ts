/**
 * The part of irc-framework 4.x (which ships no types) that the IRC bot and its tests use.
 * Field names checked against node_modules/irc-framework/src (client.js, commands/handlers/*).
 */
declare module 'irc-framework' {
  namespace IrcFramework {
    interface ClientOptions {
      host: string;
      port: number;
      nick: string;
      username?: string;
      gecos?: string;
      tls?: boolean;
      rejectUnauthorized?: boolean;
      encoding?: string;
      version?: string | null;
      auto_reconnect?: boolean;
      auto_reconnect_max_wait?: number;
      auto_reconnect_max_retries?: number;
      ping_interval?: number;
      ping_timeout?: number;
      message_max_length?: number;
      enable_echomessage?: boolean;
      /** SASL PLAIN credentials. */
      account?: { account?: string; password?: string };
      sasl_disconnect_on_fail?: boolean;
    }

    interface MessageEvent {
      nick: string;
      ident: string;
      hostname: string;
      target: string;
      /** STATUSMSG prefix (`@` in `PRIVMSG @#chan`): the message went to channel operators only. */
      group?: string;
      message: string;
      time?: number;
      account?: string | false;
      tags: Record<string, string>;
      from_server: boolean;
    }

    interface Events {
      registered: { nick: string };
      connected: { nick: string };
      close: boolean;
      'socket close': Error | undefined;
      'socket error': Error;
      reconnecting: { attempt: number; max_retries: number; wait: number };
      privmsg: MessageEvent;
      action: MessageEvent;
      notice: MessageEvent;
      message: MessageEvent & { type: 'privmsg' | 'action' | 'notice' };
      invite: { nick: string; ident: string; hostname: string; invited: string; channel: string };
      join: { nick: string; ident: string; hostname: string; channel: string; gecos: string };
      part: { nick: string; channel: string; message: string };
      kick: { nick: string; kicked: string; channel: string; message: string };
      nick: { nick: string; new_nick: string };
      'nick in use': { nick: string; reason: string };
      'irc error': { error: string; channel?: string; reason?: string; nick?: string };
      'sasl failed': { reason: string; message?: string; nick?: string };
      raw: { line: string; from_server: boolean };
      debug: string;
    }

    class Client {
      constructor(options?: Partial<ClientOptions>);
      readonly connected: boolean;
      options: ClientOptions;
      user: { nick: string; username: string; host: string };
      network: {
        name: string;
        supports(feature: string): string | boolean | undefined;
        cap: { isEnabled(name: string): boolean };
      };
      connection: { connected: boolean; registered: number | false };
      connect(options?: ClientOptions): void;
      quit(message?: string): void;
      raw(...line: Array<string | number>): void;
      say(target: string, message: string): void;
      notice(target: string, message: string): void;
      action(target: string, message: string): string[];
      join(channel: string, key?: string): void;
      part(channel: string, message?: string): void;
      invite(channel: string, nick: string): void;
      changeNick(nick: string): void;
      caseLower(s: string): string;
      caseCompare(a: string, b: string): boolean;
      on<K extends keyof Events>(event: K, listener: (event: Events[K]) => void): this;
      once<K extends keyof Events>(event: K, listener: (event: Events[K]) => void): this;
      off<K extends keyof Events>(event: K, listener: (event: Events[K]) => void): this;
      removeAllListeners(event?: string): this;
    }
  }
  export = IrcFramework;
}
