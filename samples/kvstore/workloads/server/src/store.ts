// The key-value store: an in-memory map with a cap on the number of keys.

export const MAX_KEY_LENGTH = 256;
export const MAX_VALUE_BYTES = 1024 * 1024;

export class KvError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class KvStore {
  private readonly values = new Map<string, string>();

  constructor(readonly maxKeys: number) {
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new Error(`maxKeys must be a whole number >= 1, got ${maxKeys}`);
  }

  get size(): number {
    return this.values.size;
  }

  keys(): string[] {
    return [...this.values.keys()].sort();
  }

  get(key: string): string | undefined {
    return this.values.get(key);
  }

  /** Sets `key`; true when it is new. A new key beyond maxKeys is refused (413); replacing a key always works. */
  put(key: string, value: string): boolean {
    checkKey(key);
    const created = !this.values.has(key);
    if (created && this.values.size >= this.maxKeys) throw new KvError(413, `the store is full: max_keys is ${this.maxKeys}`);
    this.values.set(key, value);
    return created;
  }

  /** Removes `key`; false when it was not there. */
  delete(key: string): boolean {
    return this.values.delete(key);
  }
}

export function checkKey(key: string): void {
  if (key.length === 0) throw new KvError(400, "the key is empty");
  if (key.length > MAX_KEY_LENGTH) throw new KvError(400, `the key is longer than ${MAX_KEY_LENGTH} characters`);
}

/** KV_MAX_KEYS comes from the Kit option max_keys (env_from_options); 1000 when unset. */
export function parseMaxKeys(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 1000;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`KV_MAX_KEYS must be a whole number >= 1, got \`${value}\``);
  return n;
}
