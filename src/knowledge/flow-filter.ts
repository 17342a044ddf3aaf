/**
 * The fields of Hubble's FlowFilter message, as flow.proto names them (cilium/cilium api/v1/flow/flow.proto,
 * message FlowFilter). The dynamic exporter reads include and exclude filters with protojson, which takes a
 * field by its proto name or by its lowerCamelCase JSON name; any other key fails the exporter's config.
 */
export const FLOW_FILTER_FIELDS = [
  "uuid",
  "source_ip",
  "source_pod",
  "source_fqdn",
  "source_label",
  "source_service",
  "source_workload",
  "destination_ip",
  "destination_pod",
  "destination_fqdn",
  "destination_label",
  "destination_service",
  "destination_workload",
  "traffic_direction",
  "verdict",
  "event_type",
  "http_status_code",
  "protocol",
  "source_port",
  "destination_port",
  "reply",
  "dns_query",
  "source_identity",
  "destination_identity",
  "http_method",
  "http_path",
  "tcp_flags",
  "node_name",
  "ip_version",
  "trace_id",
] as const;

/** protojson's JSON name of a proto field: lowerCamelCase. */
export const jsonFieldName = (proto: string): string => proto.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
