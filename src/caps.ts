/**
 * Size limits of the graph, checked before a tube is made: a same room holds at most
 * `MAX_ROOMS_PER_SAME_ROOM` rooms and a room at most `MAX_TUBES_PER_ROOM` tubes, so one portal
 * or code cannot fan a message out to an unbounded number of rooms.
 */
import type { RoomKey } from './model.js';
import type { Services } from './services.js';

/** Why `a` (the room asking) and `b` may not be linked (a one-line answer), or null when they may. */
export async function linkRefusal(s: Services, a: RoomKey, b: RoomKey): Promise<string | null> {
  const { maxRoomsPerSameRoom: maxRooms, maxTubesPerRoom: maxTubes } = s.config;
  const [tubesA, tubesB, compA, compB] = await Promise.all([s.tubes.of(a), s.tubes.of(b), s.tubes.component(a), s.tubes.component(b)]);
  if (tubesA.length >= maxTubes || tubesB.length >= maxTubes) {
    return `A room can have at most ${maxTubes} links, and ${tubesA.length >= maxTubes ? 'this' : 'that'} room has ${maxTubes}: close one first (\`list\`, \`close <n>\`).`;
  }
  const rooms = compA.includes(b) ? compA.length : compA.length + compB.length;
  if (rooms > maxRooms) return `Linking them would make a same room of ${rooms} rooms: at most ${maxRooms} rooms can be linked together.`;
  return null;
}
