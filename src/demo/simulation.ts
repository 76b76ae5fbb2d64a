import type { Agenda } from './agenda.js';
import type { DemoArticle } from './article-catalog.js';
import type { MovementRunner } from './movement-runner.js';
import type { SeededRandom } from './seeded-random.js';
import type { StockBook } from './stock-book.js';
import type { WarehouseLayout } from './warehouse-layout.js';

/** What every part of the warehouse simulation (purchasing, customer orders, stock control) works with. */
export interface Simulation {
  readonly random: SeededRandom;
  readonly book: StockBook;
  readonly runner: MovementRunner;
  readonly agenda: Agenda;
  readonly layout: WarehouseLayout;
  readonly articles: readonly DemoArticle[];
  /** The demo article of a SKU. */
  article(sku: string): DemoArticle;
  /** The next number of a document series (`SO`, `PO`, `RMA`, ...), from 1. */
  number(series: string): number;
}

export const minute = 60_000;
export const hour = 60 * minute;
export const day = 24 * hour;

/** The business date (YYYY-MM-DD, UTC) of a time. */
export function businessDate(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** Midnight (UTC) of the day of a time. */
export function startOfDay(at: number): number {
  return Math.floor(at / day) * day;
}

/** A time on the day of `dayStart`, between two hours of the day (e.g. 7.5 to 16), to the minute. */
export function timeOfDay(random: SeededRandom, dayStart: number, fromHour: number, toHour: number): number {
  return dayStart + Math.floor((fromHour * hour + random.next() * (toHour - fromHour) * hour) / minute) * minute;
}

/** A time `fromHours` to `toHours` after `at`, to the minute. */
export function later(random: SeededRandom, at: number, fromHours: number, toHours: number): number {
  return at + Math.max(1, Math.round((fromHours + random.next() * (toHours - fromHours)) * 60)) * minute;
}

/** The warehouse works Monday to Saturday; nothing moves on Sundays. */
export function isWorkingDay(dayStart: number): boolean {
  return new Date(dayStart).getUTCDay() !== 0;
}

/** The same time of day on the next working day. */
export function nextWorkingDay(at: number): number {
  let next = at + day;
  while (!isWorkingDay(startOfDay(next))) next += day;
  return next;
}

/** The article's quantity rounded down to its step (at least one step when `atLeastOne`). */
export function inSteps(article: DemoArticle, quantity: number, atLeastOne = false): number {
  const steps = Math.floor(quantity / article.step);
  return Math.max(atLeastOne ? 1 : 0, steps) * article.step;
}

/** `at` when it falls in working hours (06:00 to 18:00 of a working day); else the next working morning, 07:00 to 09:00. */
export function atWork(random: SeededRandom, at: number): number {
  const dayStart = startOfDay(at);
  const hourOfDay = (at - dayStart) / hour;
  if (isWorkingDay(dayStart) && hourOfDay >= 6 && hourOfDay < 18) return at;
  let morning = hourOfDay < 6 ? dayStart : dayStart + day;
  while (!isWorkingDay(morning)) morning += day;
  return timeOfDay(random, morning, 7, 9);
}
