/** Business rules and schema blocks shared by the components that hold parties and their roles (TMF632, TMF629, TMF669, TMF666). */
export * from './characteristics.ts';
export * from './contact-media.ts';
export * from './credit.ts';
export * from './lifecycle.ts';
export * from './parties.ts';
export * from './references.ts';
export * from './role.ts';
export * from './schemas.ts';
export * from './status-reason.ts';
