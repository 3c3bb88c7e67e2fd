import { ForbiddenError } from '../domain/errors.ts';

export type Role = 'agent' | 'manager' | 'admin';
export const ROLE_RANK: Record<Role, number> = { agent: 1, manager: 2, admin: 3 };

/** Who acts: always a user of one tenant (the system acts through workers with its own actor). */
export interface Actor {
  tenantId: string;
  userId: string;
  role: Role;
}

export function hasRole(actor: Pick<Actor, 'role'>, min: Role): boolean {
  return ROLE_RANK[actor.role] >= ROLE_RANK[min];
}

export function requireRole(actor: Pick<Actor, 'role'>, min: Role): void {
  if (!hasRole(actor, min)) throw new ForbiddenError();
}
