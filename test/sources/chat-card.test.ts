import { colourLook, statusFromColor, statusFromTitle } from '../../lambda/sources/chat-card';

describe('what a chat post\'s colour and title say', () => {
  it.each([
    ['danger', 'danger'],
    ['Good', 'good'],
    ['#E01E5A', 'danger'], // Slack's red
    ['8C1A1A', 'danger'], // Teams' dark red, without #
    [0xff9900, 'warning'], // Discord: a number
    ['#2EB67D', 'good'],
    [5814783, undefined], // Discord's blurple: no verdict
    ['#808080', undefined],
    ['#101010', undefined],
    ['red', undefined],
    [-1, undefined],
    [null, undefined],
  ])('reads %p as %p', (colour, look) => {
    // Act & Assess
    expect(colourLook(colour)).toBe(look);
  });

  it('gives a verdict for red and green only', () => {
    // Act & Assess
    expect([statusFromColor('danger'), statusFromColor('good'), statusFromColor('warning')]).toEqual(['failure', 'success', undefined]);
  });

  it.each([
    ['[FIRING:2] InstanceDown', 'firing'],
    ['[Alerting] High CPU', 'firing'], // Grafana's legacy alerting, as Slack, Teams and Discord senders title it
    ['Prometheus Alert (resolved)', 'resolved'],
    ['Deploy done', undefined],
  ])('reads the title %p as %p', (title, status) => {
    // Act & Assess
    expect(statusFromTitle(title)).toBe(status);
  });
});
