/**
 * The part of @xmpp/client 0.14 (which ships no types) that the XMPP bot and its tests use.
 * Checked against node_modules/@xmpp/{client,connection,reconnect,iq,xml} and ltx/lib/Element.js.
 */
declare module '@xmpp/client' {
  /** An ltx element. */
  export interface Element {
    name: string;
    attrs: Record<string, string | undefined>;
    children: Array<Element | string>;
    parent?: Element | null;
    is(name: string, xmlns?: string): boolean;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildText(name: string, xmlns?: string): string | null;
    getChildElements(): Element[];
    getText(): string;
    text(): string;
    append(...nodes: Array<Element | string>): Element;
    toString(): string;
  }

  export type Child = Element | string | null | undefined | false | Child[];

  export function xml(name: string, attrs?: Record<string, string | number | undefined> | null, ...children: Child[]): Element;

  export interface JID {
    local: string;
    domain: string;
    resource: string;
    bare(): JID;
    toString(): string;
    equals(other: JID): boolean;
  }

  export function jid(address: string): JID;
  export function jid(local: string, domain: string, resource?: string): JID;

  export interface ClientOptions {
    service: string;
    domain?: string;
    resource?: string;
    username?: string;
    password?: string;
    timeout?: number;
  }

  export type Status =
    | 'offline'
    | 'connecting'
    | 'connect'
    | 'opening'
    | 'open'
    | 'online'
    | 'closing'
    | 'close'
    | 'disconnecting'
    | 'disconnect';

  export interface Client {
    status: Status;
    jid: JID | null;
    timeout: number;
    start(): Promise<JID>;
    stop(): Promise<unknown>;
    send(...elements: Element[]): Promise<void>;
    iqCaller: {
      request(stanza: Element, timeout?: number): Promise<Element>;
      get(element: Element, to?: string, timeout?: number): Promise<Element | undefined>;
      set(element: Element, to?: string, timeout?: number): Promise<Element | undefined>;
    };
    reconnect: { delay: number; start(): void; stop(): void };
    on(event: 'stanza', listener: (stanza: Element) => void): this;
    on(event: 'online', listener: (address: JID) => void): this;
    on(event: 'offline' | 'disconnect' | 'connect', listener: () => void): this;
    on(event: 'status', listener: (status: Status) => void): this;
    on(event: 'error', listener: (err: Error & { condition?: string }) => void): this;
    off(event: string, listener: (...args: never[]) => void): this;
    removeListener(event: string, listener: (...args: never[]) => void): this;
    removeAllListeners(event?: string): this;
  }

  export function client(options: ClientOptions): Client;
}
