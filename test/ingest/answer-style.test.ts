import { inStyle, NOTHING_TO_SHOW } from '../../lambda/ingest/answer-style';
import { toApiGateway } from '../../lambda/ingest/api-gateway';
import { errorResponse, BadRequestError, MethodNotAllowedError, NotFoundError, SecretMismatchError, type JsonResponse } from '../../lambda/runtime/errors';

const accepted: JsonResponse = { statusCode: 202, body: { id: 'id-1', queued: 1 } };
const refused = (error: Parameters<typeof errorResponse>[0]): JsonResponse => errorResponse(error);
const badField = (field: string): JsonResponse => refused(new BadRequestError('invalid payload', { problems: [{ field, problem: 'required' }] }));
const nothing = refused(new BadRequestError('invalid payload', { problems: [{ field: 'text', problem: NOTHING_TO_SHOW }] }));
const unknownChannel = refused(new NotFoundError('unknown channel "x"', { problems: [{ field: 'channel', problem: 'not configured' }] }));

describe('inStyle', () => {
  it('leaves the relay’s own JSON answers as they are', () => {
    expect(inStyle(undefined, accepted)).toBe(accepted);
    expect(inStyle('relay', accepted)).toBe(accepted);
  });

  it.each([
    ['accepted', accepted, 200, 'ok'],
    ['a bad payload', badField('attachments.0.fields'), 400, 'invalid_payload'],
    ['a payload with a bad text', badField('text'), 400, 'invalid_payload'],
    ['a payload with nothing to show', nothing, 400, 'no_text'],
    ['a wrong secret', refused(new SecretMismatchError('no match')), 403, 'invalid_token'],
    ['an unknown channel', unknownChannel, 404, 'channel_not_found'],
    ['a source not turned on', refused(new NotFoundError('not on', { problems: [{ field: 'source', problem: 'not turned on' }] })), 404, 'no_service'],
    ['a wrong method', refused(new MethodNotAllowedError('use POST')), 405, 'method_not_allowed'],
  ])('answers %s as Slack does', (_, answer, status, word) => {
    // Act
    const slack = toApiGateway(inStyle('slack', answer));

    // Assess
    expect(slack).toMatchObject({ statusCode: status, body: word, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  });

  it('answers as Teams does: 200 with 1, a refusal with its reason as text', () => {
    // Act
    const ok = toApiGateway(inStyle('teams', accepted));
    const bad = toApiGateway(inStyle('teams', badField('text')));

    // Assess
    expect(ok).toMatchObject({ statusCode: 200, body: '1' });
    expect(bad).toMatchObject({ statusCode: 400, body: 'invalid payload' });
  });

  it('answers as Discord does: 204 without a body, refusals as {message, code}', () => {
    // Act
    const ok = toApiGateway(inStyle('discord', accepted));
    const empty = toApiGateway(inStyle('discord', nothing));
    const token = toApiGateway(inStyle('discord', refused(new SecretMismatchError('no match'))));
    const channel = toApiGateway(inStyle('discord', unknownChannel));

    // Assess
    expect(ok).toMatchObject({ statusCode: 204, body: '' });
    expect(JSON.parse(empty.body!)).toEqual({ message: 'Cannot send an empty message', code: 50006 });
    expect(token.statusCode).toBe(401);
    expect(JSON.parse(token.body!)).toEqual({ message: 'Invalid Webhook Token', code: 50027 });
    expect(JSON.parse(channel.body!)).toEqual({ message: 'Unknown Webhook', code: 10015 });
  });
});
