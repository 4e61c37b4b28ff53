{{/* A PromQL regex matching every namespace the shop runs in. */}}
{{- define "monitoring.namespaces" -}}
{{ join "|" .Values.namespaces }}
{{- end }}

{{/* The storefront's view names as one PromQL regex. */}}
{{- define "monitoring.storefrontViews" -}}
{{ join "|" .Values.storefrontViews }}
{{- end }}
