// Human text for a remaining lifetime, for the token-check log line and `kisd token status`
// (seed 003: "기존 토큰 사용 (남은시간: 19시간 30분)").

/** "19 h 30 min", "4 min 05 s", or "expired 2 min ago". */
export function formatRemaining(ms: number): string {
  const abs = Math.abs(ms);
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const s = Math.floor((abs % 60_000) / 1000);
  const text = h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${String(s).padStart(2, '0')} s` : `${s} s`;
  return ms < 0 ? `expired ${text} ago` : text;
}
