/**
 * The shapes the console reads from the weisu API (/api/v1), named for the console. Every one is the
 * generated contract (schema.d.ts, from /openapi.json by `npm run console:types`): the console keeps no
 * copy of its own, so an API change that breaks the console fails its typecheck.
 */
import type { components } from './schema.js';

type Schemas = components['schemas'];

export type Session = Schemas['Session'];
export type Role = Session['role'];
export type Camera = Schemas['Camera'];
export type Zone = Schemas['Zone'];
export type NoParkingZone = Schemas['NoParkingZone'];
export type BinSiteZone = Schemas['BinSiteZone'];
export type ZoneKind = Zone['kind'];
export type Schedule = NonNullable<NoParkingZone['schedule']>;
export type CameraHealth = Schemas['CameraHealth'];
export type HealthState = CameraHealth['state'];
/** Whether the camera shows the view its zones were drawn on (GET /cameras/{id}/view, also in its health). */
export type ViewState = Schemas['ViewState'];
export type CameraHealthList = Schemas['CameraHealthList'];
export type Incident = Schemas['Incident'];
export type Ticket = Schemas['Ticket'];
export type DailyStats = Schemas['DailyStats'];
export type DailyStat = DailyStats['items'][number];
export type Hotspots = Schemas['Hotspots'];
export type Hotspot = Hotspots['items'][number];
export type CalibrationExample = Schemas['CalibrationExample'];
export type CalibrationExamples = Schemas['CalibrationExamples'];
export type CalibrationLabel = CalibrationExample['label'];
export type ImportResult = Schemas['ImportResult'];
export type ProbeResult = Schemas['ProbeResult'];
export type Problem = Schemas['Problem'];
export type FieldIssue = Schemas['ProblemFieldIssue'];

/** Every list route's page: its items and the cursor of the next page (null on the last). */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
