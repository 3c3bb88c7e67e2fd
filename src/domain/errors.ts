/**
 * Typed domain errors. They carry a stable machine code and the HTTP status they map to;
 * the mapping to HTTP responses happens once, in src/http/plugins/errors.ts.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fields: Record<string, string> | undefined;

  constructor(code: string, message: string, status = 400, fields?: Record<string, string>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.fields = fields;
  }
}

/** Input that breaks a rule; `fields` maps a field path to a French message. */
export class ValidationError extends DomainError {
  constructor(message: string, fields?: Record<string, string>) {
    super('validation', message, 400, fields);
  }
}

export class NotFoundError extends DomainError {
  constructor(message = 'Ressource introuvable.') {
    super('not_found', message, 404);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string) {
    super(code, message, 409);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'Action non autorisée pour votre rôle.') {
    super('forbidden', message, 403);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'Authentification requise.') {
    super('unauthorized', message, 401);
  }
}

/** A rule of the complaint process refuses the action (e.g. an illegal status transition). */
export class RuleError extends DomainError {
  constructor(code: string, message: string) {
    super(code, message, 422);
  }
}
