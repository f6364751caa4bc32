const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * What is wrong with the calendar fields of an ISO 8601 date or date-time already in the right
 * shape (YYYY-MM-DD[THH:MM[:SS[.sss]](Z|±HH:MM)]); null when it names a real instant. Needed
 * because Date.parse rolls an impossible day over (2026-02-30 becomes 2026-03-02).
 */
export function calendarProblem(text: string): string | null {
  const [year, month, day] = [Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8, 10))];
  if (month < 1 || month > 12) return `month ${text.slice(5, 7)} does not exist (01–12)`;
  const days = daysIn(year, month);
  if (day < 1 || day > days) return `${MONTHS[month - 1]} ${year} has ${days} days`;
  if (text.length === 10) return null;
  const [hour, minute, second] = [Number(text.slice(11, 13)), Number(text.slice(14, 16)), text[16] === ':' ? Number(text.slice(17, 19)) : 0];
  if (hour > 23 || minute > 59 || second > 59) return `${text.slice(11, text[16] === ':' ? 19 : 16)} is not a time of day (00:00:00–23:59:59)`;
  const zone = /[+-](\d{2}):(\d{2})$/.exec(text);
  if (zone && (Number(zone[1]) > 23 || Number(zone[2]) > 59)) return `${zone[0]} is not a time zone offset (-23:59 to +23:59)`;
  return null;
}

function daysIn(year: number, month: number): number {
  if (month !== 2) return [4, 6, 9, 11].includes(month) ? 30 : 31;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return leap ? 29 : 28;
}
