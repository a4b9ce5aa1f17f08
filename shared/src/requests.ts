/**
 * The custom LSP requests as typed constants, so a request's params and result types travel with its method:
 * the client sends them and server.ts handles them with these objects, never with a bare method string.
 * Kept apart from protocol.ts, whose plain types the run worker and CLI import without the LSP libraries.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import {
  CompareKernelParams, CompareKernelRequestMethod, CompareKernelResult,
  ListProgramsParams, ListProgramsRequestMethod, ListProgramsResult, RunOutputNotificationMethod, RunOutputParams, RunParams,
  RunProgressNotificationMethod, RunProgressParams, RunRequestMethod, RunResult,
} from './protocol';

export const RunRequest = new RequestType<RunParams, RunResult, void>(RunRequestMethod);
export const ListProgramsRequest = new RequestType<ListProgramsParams, ListProgramsResult, void>(ListProgramsRequestMethod);
export const CompareKernelRequest = new RequestType<CompareKernelParams, CompareKernelResult, void>(CompareKernelRequestMethod);
/** Server -> client during a run that gave RunParams.progressId. */
export const RunProgressNotification = new NotificationType<RunProgressParams>(RunProgressNotificationMethod);
/** Server -> client during a run that gave RunParams.streamOutput: the output's pages, in order. */
export const RunOutputNotification = new NotificationType<RunOutputParams>(RunOutputNotificationMethod);
