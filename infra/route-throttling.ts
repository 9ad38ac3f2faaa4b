import type { Account } from '../functions/core/config/config';

/** API Gateway's own ceiling for a route throttle (a higher value is refused at deploy time). */
const MAX_THROTTLE = 1_000_000;

/** One account's override of its callback route throttle; an unset limit keeps the construct-wide one. */
export interface RouteThrottling {
  /**
   * Burst limit of this account's route, in requests.
   * @default - the construct's `throttlingBurstLimit`
   */
  readonly burstLimit?: number;
  /**
   * Steady-state rate limit of this account's route, in requests per second.
   * @default - the construct's `throttlingRateLimit`
   */
  readonly rateLimit?: number;
}

/** The throttle a route ends up with. */
export interface ResolvedRouteThrottling {
  readonly burstLimit: number;
  readonly rateLimit: number;
}

/** The range checks of the props resolver (the same messages for every prop). */
export interface RangeChecks {
  integer(name: string, value: number, min: number, max: number): void;
  number(name: string, value: number, min: number, max: number): void;
}

/**
 * Every account's route throttle: the construct-wide limits, replaced limit by limit by the account's
 * entry in `overrides`. An override for a route no account has is a problem (a typo would otherwise
 * leave the account on the default without a word).
 */
export function resolveRouteThrottling(
  defaults: ResolvedRouteThrottling,
  overrides: Readonly<Record<string, RouteThrottling>> | undefined,
  accounts: readonly Account[],
  problems: string[],
  check: RangeChecks,
): ReadonlyMap<string, ResolvedRouteThrottling> {
  const routes = new Set(accounts.map((account) => account.route));
  for (const [route, override] of Object.entries(overrides ?? {})) {
    if (!routes.has(route)) {
      problems.push(`routeThrottling.${route}: no account has this route`);
      continue;
    }
    if (override.burstLimit !== undefined) check.integer(`routeThrottling.${route}.burstLimit`, override.burstLimit, 0, MAX_THROTTLE);
    if (override.rateLimit !== undefined) check.number(`routeThrottling.${route}.rateLimit`, override.rateLimit, 0, MAX_THROTTLE);
  }
  return new Map(
    accounts.map((account) => {
      // Own keys only: a route may be called `constructor`.
      const override = overrides !== undefined && Object.hasOwn(overrides, account.route) ? overrides[account.route]! : {};
      return [account.route, {
        burstLimit: override.burstLimit ?? defaults.burstLimit,
        rateLimit: override.rateLimit ?? defaults.rateLimit,
      }];
    }),
  );
}
