/** Discord-style snowflakes: milliseconds since the Discord epoch << 22, plus a counter. */
const DISCORD_EPOCH = 1_420_070_400_000n;
let last = 0n;

export function snowflake(): string {
  const now = (BigInt(Date.now()) - DISCORD_EPOCH) << 22n;
  last = now > last ? now : last + 1n;
  return last.toString();
}

export function compareSnowflakes(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
