// Original file: protos/sextant/galley/v1/config.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AppliedResource as _sextant_galley_v1_AppliedResource, AppliedResource__Output as _sextant_galley_v1_AppliedResource__Output } from '../../../sextant/galley/v1/AppliedResource';
import type { ApplyRequest as _sextant_galley_v1_ApplyRequest, ApplyRequest__Output as _sextant_galley_v1_ApplyRequest__Output } from '../../../sextant/galley/v1/ApplyRequest';
import type { ApplyResponse as _sextant_galley_v1_ApplyResponse, ApplyResponse__Output as _sextant_galley_v1_ApplyResponse__Output } from '../../../sextant/galley/v1/ApplyResponse';
import type { DeleteRequest as _sextant_galley_v1_DeleteRequest, DeleteRequest__Output as _sextant_galley_v1_DeleteRequest__Output } from '../../../sextant/galley/v1/DeleteRequest';
import type { DeleteResponse as _sextant_galley_v1_DeleteResponse, DeleteResponse__Output as _sextant_galley_v1_DeleteResponse__Output } from '../../../sextant/galley/v1/DeleteResponse';
import type { GetRequest as _sextant_galley_v1_GetRequest, GetRequest__Output as _sextant_galley_v1_GetRequest__Output } from '../../../sextant/galley/v1/GetRequest';
import type { HistoryRequest as _sextant_galley_v1_HistoryRequest, HistoryRequest__Output as _sextant_galley_v1_HistoryRequest__Output } from '../../../sextant/galley/v1/HistoryRequest';
import type { HistoryResponse as _sextant_galley_v1_HistoryResponse, HistoryResponse__Output as _sextant_galley_v1_HistoryResponse__Output } from '../../../sextant/galley/v1/HistoryResponse';
import type { ListRequest as _sextant_galley_v1_ListRequest, ListRequest__Output as _sextant_galley_v1_ListRequest__Output } from '../../../sextant/galley/v1/ListRequest';
import type { ListResponse as _sextant_galley_v1_ListResponse, ListResponse__Output as _sextant_galley_v1_ListResponse__Output } from '../../../sextant/galley/v1/ListResponse';
import type { Resource as _sextant_galley_v1_Resource, Resource__Output as _sextant_galley_v1_Resource__Output } from '../../../sextant/galley/v1/Resource';
import type { RollbackRequest as _sextant_galley_v1_RollbackRequest, RollbackRequest__Output as _sextant_galley_v1_RollbackRequest__Output } from '../../../sextant/galley/v1/RollbackRequest';
import type { ValidateRequest as _sextant_galley_v1_ValidateRequest, ValidateRequest__Output as _sextant_galley_v1_ValidateRequest__Output } from '../../../sextant/galley/v1/ValidateRequest';
import type { ValidateResponse as _sextant_galley_v1_ValidateResponse, ValidateResponse__Output as _sextant_galley_v1_ValidateResponse__Output } from '../../../sextant/galley/v1/ValidateResponse';
import type { WatchEvent as _sextant_galley_v1_WatchEvent, WatchEvent__Output as _sextant_galley_v1_WatchEvent__Output } from '../../../sextant/galley/v1/WatchEvent';
import type { WatchRequest as _sextant_galley_v1_WatchRequest, WatchRequest__Output as _sextant_galley_v1_WatchRequest__Output } from '../../../sextant/galley/v1/WatchRequest';

export interface ConfigServiceClient extends grpc.Client {
  Apply(argument: _sextant_galley_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _sextant_galley_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sextant_galley_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _sextant_galley_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _sextant_galley_v1_ApplyRequest, callback: grpc.requestCallback<_sextant_galley_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _sextant_galley_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _sextant_galley_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sextant_galley_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _sextant_galley_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _sextant_galley_v1_ApplyRequest, callback: grpc.requestCallback<_sextant_galley_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  
  Delete(argument: _sextant_galley_v1_DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _sextant_galley_v1_DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sextant_galley_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _sextant_galley_v1_DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _sextant_galley_v1_DeleteRequest, callback: grpc.requestCallback<_sextant_galley_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _sextant_galley_v1_DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _sextant_galley_v1_DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sextant_galley_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _sextant_galley_v1_DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _sextant_galley_v1_DeleteRequest, callback: grpc.requestCallback<_sextant_galley_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  
  Get(argument: _sextant_galley_v1_GetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_Resource__Output>): grpc.ClientUnaryCall;
  Get(argument: _sextant_galley_v1_GetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sextant_galley_v1_Resource__Output>): grpc.ClientUnaryCall;
  Get(argument: _sextant_galley_v1_GetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_Resource__Output>): grpc.ClientUnaryCall;
  Get(argument: _sextant_galley_v1_GetRequest, callback: grpc.requestCallback<_sextant_galley_v1_Resource__Output>): grpc.ClientUnaryCall;
  get(argument: _sextant_galley_v1_GetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_Resource__Output>): grpc.ClientUnaryCall;
  get(argument: _sextant_galley_v1_GetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sextant_galley_v1_Resource__Output>): grpc.ClientUnaryCall;
  get(argument: _sextant_galley_v1_GetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_Resource__Output>): grpc.ClientUnaryCall;
  get(argument: _sextant_galley_v1_GetRequest, callback: grpc.requestCallback<_sextant_galley_v1_Resource__Output>): grpc.ClientUnaryCall;
  
  History(argument: _sextant_galley_v1_HistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_HistoryResponse__Output>): grpc.ClientUnaryCall;
  History(argument: _sextant_galley_v1_HistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sextant_galley_v1_HistoryResponse__Output>): grpc.ClientUnaryCall;
  History(argument: _sextant_galley_v1_HistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_HistoryResponse__Output>): grpc.ClientUnaryCall;
  History(argument: _sextant_galley_v1_HistoryRequest, callback: grpc.requestCallback<_sextant_galley_v1_HistoryResponse__Output>): grpc.ClientUnaryCall;
  history(argument: _sextant_galley_v1_HistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_HistoryResponse__Output>): grpc.ClientUnaryCall;
  history(argument: _sextant_galley_v1_HistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sextant_galley_v1_HistoryResponse__Output>): grpc.ClientUnaryCall;
  history(argument: _sextant_galley_v1_HistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_HistoryResponse__Output>): grpc.ClientUnaryCall;
  history(argument: _sextant_galley_v1_HistoryRequest, callback: grpc.requestCallback<_sextant_galley_v1_HistoryResponse__Output>): grpc.ClientUnaryCall;
  
  List(argument: _sextant_galley_v1_ListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _sextant_galley_v1_ListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sextant_galley_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _sextant_galley_v1_ListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _sextant_galley_v1_ListRequest, callback: grpc.requestCallback<_sextant_galley_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _sextant_galley_v1_ListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _sextant_galley_v1_ListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sextant_galley_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _sextant_galley_v1_ListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _sextant_galley_v1_ListRequest, callback: grpc.requestCallback<_sextant_galley_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  
  Rollback(argument: _sextant_galley_v1_RollbackRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_AppliedResource__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _sextant_galley_v1_RollbackRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sextant_galley_v1_AppliedResource__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _sextant_galley_v1_RollbackRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_AppliedResource__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _sextant_galley_v1_RollbackRequest, callback: grpc.requestCallback<_sextant_galley_v1_AppliedResource__Output>): grpc.ClientUnaryCall;
  rollback(argument: _sextant_galley_v1_RollbackRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_AppliedResource__Output>): grpc.ClientUnaryCall;
  rollback(argument: _sextant_galley_v1_RollbackRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sextant_galley_v1_AppliedResource__Output>): grpc.ClientUnaryCall;
  rollback(argument: _sextant_galley_v1_RollbackRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_AppliedResource__Output>): grpc.ClientUnaryCall;
  rollback(argument: _sextant_galley_v1_RollbackRequest, callback: grpc.requestCallback<_sextant_galley_v1_AppliedResource__Output>): grpc.ClientUnaryCall;
  
  Validate(argument: _sextant_galley_v1_ValidateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_ValidateResponse__Output>): grpc.ClientUnaryCall;
  Validate(argument: _sextant_galley_v1_ValidateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sextant_galley_v1_ValidateResponse__Output>): grpc.ClientUnaryCall;
  Validate(argument: _sextant_galley_v1_ValidateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_ValidateResponse__Output>): grpc.ClientUnaryCall;
  Validate(argument: _sextant_galley_v1_ValidateRequest, callback: grpc.requestCallback<_sextant_galley_v1_ValidateResponse__Output>): grpc.ClientUnaryCall;
  validate(argument: _sextant_galley_v1_ValidateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_ValidateResponse__Output>): grpc.ClientUnaryCall;
  validate(argument: _sextant_galley_v1_ValidateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sextant_galley_v1_ValidateResponse__Output>): grpc.ClientUnaryCall;
  validate(argument: _sextant_galley_v1_ValidateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sextant_galley_v1_ValidateResponse__Output>): grpc.ClientUnaryCall;
  validate(argument: _sextant_galley_v1_ValidateRequest, callback: grpc.requestCallback<_sextant_galley_v1_ValidateResponse__Output>): grpc.ClientUnaryCall;
  
  Watch(argument: _sextant_galley_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_sextant_galley_v1_WatchEvent__Output>;
  Watch(argument: _sextant_galley_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_sextant_galley_v1_WatchEvent__Output>;
  watch(argument: _sextant_galley_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_sextant_galley_v1_WatchEvent__Output>;
  watch(argument: _sextant_galley_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_sextant_galley_v1_WatchEvent__Output>;
  
}

export interface ConfigServiceHandlers extends grpc.UntypedServiceImplementation {
  Apply: grpc.handleUnaryCall<_sextant_galley_v1_ApplyRequest__Output, _sextant_galley_v1_ApplyResponse>;
  
  Delete: grpc.handleUnaryCall<_sextant_galley_v1_DeleteRequest__Output, _sextant_galley_v1_DeleteResponse>;
  
  Get: grpc.handleUnaryCall<_sextant_galley_v1_GetRequest__Output, _sextant_galley_v1_Resource>;
  
  History: grpc.handleUnaryCall<_sextant_galley_v1_HistoryRequest__Output, _sextant_galley_v1_HistoryResponse>;
  
  List: grpc.handleUnaryCall<_sextant_galley_v1_ListRequest__Output, _sextant_galley_v1_ListResponse>;
  
  Rollback: grpc.handleUnaryCall<_sextant_galley_v1_RollbackRequest__Output, _sextant_galley_v1_AppliedResource>;
  
  Validate: grpc.handleUnaryCall<_sextant_galley_v1_ValidateRequest__Output, _sextant_galley_v1_ValidateResponse>;
  
  Watch: grpc.handleServerStreamingCall<_sextant_galley_v1_WatchRequest__Output, _sextant_galley_v1_WatchEvent>;
  
}

export interface ConfigServiceDefinition extends grpc.ServiceDefinition {
  Apply: MethodDefinition<_sextant_galley_v1_ApplyRequest, _sextant_galley_v1_ApplyResponse, _sextant_galley_v1_ApplyRequest__Output, _sextant_galley_v1_ApplyResponse__Output>
  Delete: MethodDefinition<_sextant_galley_v1_DeleteRequest, _sextant_galley_v1_DeleteResponse, _sextant_galley_v1_DeleteRequest__Output, _sextant_galley_v1_DeleteResponse__Output>
  Get: MethodDefinition<_sextant_galley_v1_GetRequest, _sextant_galley_v1_Resource, _sextant_galley_v1_GetRequest__Output, _sextant_galley_v1_Resource__Output>
  History: MethodDefinition<_sextant_galley_v1_HistoryRequest, _sextant_galley_v1_HistoryResponse, _sextant_galley_v1_HistoryRequest__Output, _sextant_galley_v1_HistoryResponse__Output>
  List: MethodDefinition<_sextant_galley_v1_ListRequest, _sextant_galley_v1_ListResponse, _sextant_galley_v1_ListRequest__Output, _sextant_galley_v1_ListResponse__Output>
  Rollback: MethodDefinition<_sextant_galley_v1_RollbackRequest, _sextant_galley_v1_AppliedResource, _sextant_galley_v1_RollbackRequest__Output, _sextant_galley_v1_AppliedResource__Output>
  Validate: MethodDefinition<_sextant_galley_v1_ValidateRequest, _sextant_galley_v1_ValidateResponse, _sextant_galley_v1_ValidateRequest__Output, _sextant_galley_v1_ValidateResponse__Output>
  Watch: MethodDefinition<_sextant_galley_v1_WatchRequest, _sextant_galley_v1_WatchEvent, _sextant_galley_v1_WatchRequest__Output, _sextant_galley_v1_WatchEvent__Output>
}
