// Notes kept in the key-value store (the imported CapaKit.Samples.KvStore Kit), one key per note: `note:<id>`.
import type { PeerFetch } from "./peers.ts";

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_TEXT_LENGTH = 10_000;

export class NotesError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function checkId(id: string): void {
  if (!ID_PATTERN.test(id)) throw new NotesError(400, "a note id is 1 to 64 letters, digits, '-' or '_'");
}

export function checkText(text: unknown): string {
  if (typeof text !== "string" || text.length === 0) throw new NotesError(400, "text must be a non-empty string");
  if (text.length > MAX_TEXT_LENGTH) throw new NotesError(413, `text is longer than ${MAX_TEXT_LENGTH} characters`);
  return text;
}

function keyPath(id: string): string {
  return `/keys/${encodeURIComponent(`note:${id}`)}`;
}

async function storeError(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === "string") return body.error;
  } catch {}
  return `HTTP ${response.status}`;
}

export class Notes {
  constructor(
    private readonly kv: PeerFetch,
    private readonly newId: () => string = () => crypto.randomUUID().slice(0, 8),
  ) {}

  /** Writes the note to the store and reads it back: the text returned is what the store holds. */
  async save(id: string, text: unknown): Promise<string> {
    checkId(id);
    const value = checkText(text);
    const put = await this.kv(keyPath(id), { method: "PUT", body: value, headers: { "content-type": "text/plain; charset=utf-8" } });
    if (put.status === 413) throw new NotesError(413, `the store refused the note: ${await storeError(put)} (raise the note_limit option)`);
    if (!put.ok) throw new NotesError(502, `the store answered ${put.status}: ${await storeError(put)}`);
    const stored = await this.read(id);
    if (stored === undefined) throw new NotesError(502, `the store lost note ${id} right after saving it`);
    return stored;
  }

  /** A new note under a fresh id. */
  async create(text: unknown): Promise<{ id: string; text: string }> {
    const id = this.newId();
    return { id, text: await this.save(id, text) };
  }

  /** The note's text, or undefined when there is none. */
  async read(id: string): Promise<string | undefined> {
    checkId(id);
    const response = await this.kv(keyPath(id));
    if (response.status === 404) return undefined;
    if (!response.ok) throw new NotesError(502, `the store answered ${response.status}: ${await storeError(response)}`);
    return await response.text();
  }
}
