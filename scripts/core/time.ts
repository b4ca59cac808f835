// Times for people: "2026-11-27 14:00 UTC" and "in 2 d 3 h".

export function formatTime(date: Date): string {
  const iso = date.toISOString();
  // Minutes are enough to read; seconds only when they are not zero, so nothing is rounded away.
  const end = iso.slice(17, 19) === '00' ? 16 : 19;
  return `${iso.slice(0, end).replace('T', ' ')} UTC`;
}

/** A duration as the two largest units: "2 d 3 h", "5 h 12 min", "40 s". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  if (minutes > 0)
    return seconds > 0 && minutes < 10 ? `${minutes} min ${seconds} s` : `${minutes} min`;
  return `${seconds} s`;
}

/** "2026-11-27 14:00 UTC (in 2 d 3 h)" or "... (2 h ago)". */
export function formatWhen(at: Date, now: Date): string {
  const delta = at.getTime() - now.getTime();
  return `${formatTime(at)} (${delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`})`;
}

/** Parses --now: an ISO 8601 time with a zone; undefined for anything else. */
export function parseInstant(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text))
    return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** ISO 8601 in UTC, without milliseconds when they are zero: 2026-11-24T12:00:00Z. */
export function isoTime(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}
