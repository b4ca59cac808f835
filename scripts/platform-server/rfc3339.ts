// RFC 3339 `date-time` (section 5.6), as the API document's `format: date-time` means it: the
// seconds are required, `T` and `Z` may be lower case (the note of 5.6), every field is range
// checked against the calendar (no 2026-02-30), and a leap second (5.7) is accepted where one can
// occur: 23:59:60 UTC, on the last day of a month. JavaScript time has no leap seconds, so one
// reads as the last millisecond before it, 23:59:59.999 UTC.

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Milliseconds since the epoch of an RFC 3339 date-time, or null when it is not one. */
export function parseRfc3339(text: string): number | null {
  const m = DATE_TIME.exec(text);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offsetSign = m[9] === '-' ? -1 : 1;
  const offsetHour = m[8] !== undefined ? 0 : Number(m[10]);
  const offsetMinute = m[8] !== undefined ? 0 : Number(m[11]);
  const valid =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 60 &&
    offsetHour <= 23 &&
    offsetMinute <= 59;
  if (!valid) return null;
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  local.setUTCHours(hour, minute, Math.min(second, 59), second === 60 ? 999 : millis);
  const utc = local.getTime() - offsetSign * (offsetHour * 60 + offsetMinute) * 60_000;
  if (second === 60 && !isLeapSecondSlot(utc)) return null;
  return utc;
}

/** 23:59:59.999 UTC on the last day of a month: where a leap second :60 maps to. */
function isLeapSecondSlot(utc: number): boolean {
  const at = new Date(utc);
  const lastDay = daysInMonth(at.getUTCFullYear(), at.getUTCMonth() + 1);
  return (
    at.getUTCDate() === lastDay &&
    at.getUTCHours() === 23 &&
    at.getUTCMinutes() === 59 &&
    at.getUTCSeconds() === 59
  );
}
