import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AppliedResource as _sextant_galley_v1_AppliedResource, AppliedResource__Output as _sextant_galley_v1_AppliedResource__Output } from './sextant/galley/v1/AppliedResource';
import type { ApplyRequest as _sextant_galley_v1_ApplyRequest, ApplyRequest__Output as _sextant_galley_v1_ApplyRequest__Output } from './sextant/galley/v1/ApplyRequest';
import type { ApplyResponse as _sextant_galley_v1_ApplyResponse, ApplyResponse__Output as _sextant_galley_v1_ApplyResponse__Output } from './sextant/galley/v1/ApplyResponse';
import type { ConfigServiceClient as _sextant_galley_v1_ConfigServiceClient, ConfigServiceDefinition as _sextant_galley_v1_ConfigServiceDefinition } from './sextant/galley/v1/ConfigService';
import type { DeleteRequest as _sextant_galley_v1_DeleteRequest, DeleteRequest__Output as _sextant_galley_v1_DeleteRequest__Output } from './sextant/galley/v1/DeleteRequest';
import type { DeleteResponse as _sextant_galley_v1_DeleteResponse, DeleteResponse__Output as _sextant_galley_v1_DeleteResponse__Output } from './sextant/galley/v1/DeleteResponse';
import type { FieldError as _sextant_galley_v1_FieldError, FieldError__Output as _sextant_galley_v1_FieldError__Output } from './sextant/galley/v1/FieldError';
import type { GetRequest as _sextant_galley_v1_GetRequest, GetRequest__Output as _sextant_galley_v1_GetRequest__Output } from './sextant/galley/v1/GetRequest';
import type { HistoryEntry as _sextant_galley_v1_HistoryEntry, HistoryEntry__Output as _sextant_galley_v1_HistoryEntry__Output } from './sextant/galley/v1/HistoryEntry';
import type { HistoryRequest as _sextant_galley_v1_HistoryRequest, HistoryRequest__Output as _sextant_galley_v1_HistoryRequest__Output } from './sextant/galley/v1/HistoryRequest';
import type { HistoryResponse as _sextant_galley_v1_HistoryResponse, HistoryResponse__Output as _sextant_galley_v1_HistoryResponse__Output } from './sextant/galley/v1/HistoryResponse';
import type { ListRequest as _sextant_galley_v1_ListRequest, ListRequest__Output as _sextant_galley_v1_ListRequest__Output } from './sextant/galley/v1/ListRequest';
import type { ListResponse as _sextant_galley_v1_ListResponse, ListResponse__Output as _sextant_galley_v1_ListResponse__Output } from './sextant/galley/v1/ListResponse';
import type { Resource as _sextant_galley_v1_Resource, Resource__Output as _sextant_galley_v1_Resource__Output } from './sextant/galley/v1/Resource';
import type { ResourceRef as _sextant_galley_v1_ResourceRef, ResourceRef__Output as _sextant_galley_v1_ResourceRef__Output } from './sextant/galley/v1/ResourceRef';
import type { RollbackRequest as _sextant_galley_v1_RollbackRequest, RollbackRequest__Output as _sextant_galley_v1_RollbackRequest__Output } from './sextant/galley/v1/RollbackRequest';
import type { ValidateRequest as _sextant_galley_v1_ValidateRequest, ValidateRequest__Output as _sextant_galley_v1_ValidateRequest__Output } from './sextant/galley/v1/ValidateRequest';
import type { ValidateResponse as _sextant_galley_v1_ValidateResponse, ValidateResponse__Output as _sextant_galley_v1_ValidateResponse__Output } from './sextant/galley/v1/ValidateResponse';
import type { WatchEvent as _sextant_galley_v1_WatchEvent, WatchEvent__Output as _sextant_galley_v1_WatchEvent__Output } from './sextant/galley/v1/WatchEvent';
import type { WatchRequest as _sextant_galley_v1_WatchRequest, WatchRequest__Output as _sextant_galley_v1_WatchRequest__Output } from './sextant/galley/v1/WatchRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  sextant: {
    galley: {
      v1: {
        AppliedResource: MessageTypeDefinition<_sextant_galley_v1_AppliedResource, _sextant_galley_v1_AppliedResource__Output>
        ApplyRequest: MessageTypeDefinition<_sextant_galley_v1_ApplyRequest, _sextant_galley_v1_ApplyRequest__Output>
        ApplyResponse: MessageTypeDefinition<_sextant_galley_v1_ApplyResponse, _sextant_galley_v1_ApplyResponse__Output>
        ConfigService: SubtypeConstructor<typeof grpc.Client, _sextant_galley_v1_ConfigServiceClient> & { service: _sextant_galley_v1_ConfigServiceDefinition }
        DeleteRequest: MessageTypeDefinition<_sextant_galley_v1_DeleteRequest, _sextant_galley_v1_DeleteRequest__Output>
        DeleteResponse: MessageTypeDefinition<_sextant_galley_v1_DeleteResponse, _sextant_galley_v1_DeleteResponse__Output>
        FieldError: MessageTypeDefinition<_sextant_galley_v1_FieldError, _sextant_galley_v1_FieldError__Output>
        GetRequest: MessageTypeDefinition<_sextant_galley_v1_GetRequest, _sextant_galley_v1_GetRequest__Output>
        HistoryEntry: MessageTypeDefinition<_sextant_galley_v1_HistoryEntry, _sextant_galley_v1_HistoryEntry__Output>
        HistoryRequest: MessageTypeDefinition<_sextant_galley_v1_HistoryRequest, _sextant_galley_v1_HistoryRequest__Output>
        HistoryResponse: MessageTypeDefinition<_sextant_galley_v1_HistoryResponse, _sextant_galley_v1_HistoryResponse__Output>
        ListRequest: MessageTypeDefinition<_sextant_galley_v1_ListRequest, _sextant_galley_v1_ListRequest__Output>
        ListResponse: MessageTypeDefinition<_sextant_galley_v1_ListResponse, _sextant_galley_v1_ListResponse__Output>
        Resource: MessageTypeDefinition<_sextant_galley_v1_Resource, _sextant_galley_v1_Resource__Output>
        ResourceRef: MessageTypeDefinition<_sextant_galley_v1_ResourceRef, _sextant_galley_v1_ResourceRef__Output>
        RollbackRequest: MessageTypeDefinition<_sextant_galley_v1_RollbackRequest, _sextant_galley_v1_RollbackRequest__Output>
        ValidateRequest: MessageTypeDefinition<_sextant_galley_v1_ValidateRequest, _sextant_galley_v1_ValidateRequest__Output>
        ValidateResponse: MessageTypeDefinition<_sextant_galley_v1_ValidateResponse, _sextant_galley_v1_ValidateResponse__Output>
        WatchEvent: MessageTypeDefinition<_sextant_galley_v1_WatchEvent, _sextant_galley_v1_WatchEvent__Output>
        WatchRequest: MessageTypeDefinition<_sextant_galley_v1_WatchRequest, _sextant_galley_v1_WatchRequest__Output>
      }
    }
  }
}

