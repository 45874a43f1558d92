/** The team the stack-reading commands' tests deploy into moto: two spaces, the generic source for test posts. */
export const OPS_SPACE = '0000000000000000000000a1';
export const CI_SPACE = '0000000000000000000000b2';
export const OPS_CONFIG = {
  channels: { default: OPS_SPACE, ci: CI_SPACE },
  tokenSecret: 'spaces-relay/ops/spaces-token',
  sources: ['generic'],
};
