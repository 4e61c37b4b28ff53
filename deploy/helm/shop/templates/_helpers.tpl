{{/* Names and labels. */}}
{{- define "shop.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "shop.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "shop.selectorLabels" -}}
app.kubernetes.io/name: {{ include "shop.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "shop.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "shop.selectorLabels" . }}
app.kubernetes.io/version: {{ include "shop.imageTag" . | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: threadline
{{- end }}

{{- define "shop.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "shop.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image: repository:tag, or repository@digest when a digest is pinned. */}}
{{- define "shop.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion | toString }}
{{- end }}

{{- define "shop.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (include "shop.imageTag" .) }}
{{- end }}
{{- end }}

{{/* The Secret the pods read: an existing one, or the chart's own. */}}
{{- define "shop.secretName" -}}
{{- .Values.secret.existingSecret | default (include "shop.fullname" .) }}
{{- end }}

{{- define "shop.tlsSecretName" -}}
{{- .Values.ingress.tlsSecretName | default (printf "%s-tls" (include "shop.fullname" .)) }}
{{- end }}

{{/* Public host names: the Ingress hosts, then config.allowedHosts. */}}
{{- define "shop.allowedHosts" -}}
{{- $hosts := list }}
{{- if .Values.ingress.enabled }}
{{- $hosts = concat $hosts .Values.ingress.hosts }}
{{- end }}
{{- $hosts = concat $hosts .Values.config.allowedHosts | uniq }}
{{- join "," $hosts }}
{{- end }}

{{/* Non-secret environment, one "NAME: value" mapping; empty values are left out. */}}
{{- define "shop.configData" -}}
{{- $c := .Values.config }}
{{- $origins := list }}
{{- if .Values.ingress.enabled }}
{{- range .Values.ingress.hosts }}
{{- $origins = append $origins (printf "https://%s" .) }}
{{- end }}
{{- end }}
{{- $origins = concat $origins $c.csrfTrustedOrigins | uniq }}
{{- $adminUrl := $c.wagtailAdminBaseUrl }}
{{- if and (not $adminUrl) .Values.ingress.enabled .Values.ingress.hosts }}
{{- $adminUrl = printf "https://%s" (first .Values.ingress.hosts) }}
{{- end }}
{{- $data := dict
  "DJANGO_SETTINGS_MODULE" "config.settings.prod"
  "DEBUG" "false"
  "CSRF_TRUSTED_ORIGINS" (join "," $origins)
  "WAGTAILADMIN_BASE_URL" $adminUrl
  "PAYMENT_PROVIDER" $c.paymentProvider
  "ALLOW_TEST_PAYMENTS" (ternary "true" "false" (eq (toString $c.allowTestPayments) "true"))
  "SHOP_CURRENCY" $c.currency
  "LOG_LEVEL" $c.logLevel
  "DEFAULT_FROM_EMAIL" $c.defaultFromEmail
  "AWS_STORAGE_BUCKET_NAME" $c.awsStorageBucketName
  "AWS_S3_REGION_NAME" $c.awsS3RegionName
  "AWS_S3_CUSTOM_DOMAIN" $c.awsS3CustomDomain
  "REDIS_URL" $c.redisUrl
  "ORDER_PAYMENT_TIMEOUT_MINUTES" $c.orderPaymentTimeoutMinutes
  "SHOP_CART_RETENTION_DAYS" .Values.housekeeping.cartRetentionDays
  "GUNICORN_WORKERS" .Values.gunicorn.workers
  "GUNICORN_THREADS" .Values.gunicorn.threads
  "GUNICORN_TIMEOUT" .Values.gunicorn.timeout
  "GUNICORN_GRACEFUL_TIMEOUT" .Values.gunicorn.gracefulTimeout
  "GUNICORN_KEEPALIVE" .Values.gunicorn.keepalive
}}
{{- $data = merge (deepCopy $c.extraEnv) $data }}
{{- range $name, $value := $data }}
{{- if ne (toString $value) "" }}
{{ $name }}: {{ toString $value | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* Secret keys with a value, base64-encoded for a Secret's data. */}}
{{- define "shop.secretData" -}}
{{- range $name, $value := .Values.secret.values }}
{{- if $value }}
{{ $name }}: {{ toString $value | b64enc | quote }}
{{- end }}
{{- end }}
{{- end }}

{{- define "shop.podSecurityContext" -}}
{{ toYaml .Values.podSecurityContext }}
{{- end }}

{{- define "shop.securityContext" -}}
{{ toYaml .Values.securityContext }}
{{- end }}

{{/* The writable /tmp every container of the chart gets (the root filesystem is read-only). */}}
{{- define "shop.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpVolume.sizeLimit }}
{{- end }}

{{- define "shop.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* Pod spec parts every workload shares (the release's ServiceAccount included). */}}
{{- define "shop.podCommon" -}}
serviceAccountName: {{ include "shop.serviceAccountName" . }}
{{ include "shop.podSettings" . }}
{{- end }}

{{/* Pod spec parts every pod shares, hooks included (they bring their own ServiceAccount). */}}
{{- define "shop.podSettings" -}}
automountServiceAccountToken: false
# No FOO_SERVICE_HOST/FOO_PORT variables from every Service in the namespace.
enableServiceLinks: false
securityContext:
  {{- include "shop.podSecurityContext" . | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
A CronJob running one command in the app's image, with the app's settings and secrets.
Called with (dict "root" $ "component" "<name>" "job" <its values block> "args" (list ...)):
the values block gives schedule, timeZone, deadlines, history limits and resources.
*/}}
{{- define "shop.cronJob" -}}
{{- $root := .root }}
{{- $c := .job }}
apiVersion: batch/v1
kind: CronJob
metadata:
  name: {{ include "shop.fullname" $root }}-{{ .component }}
  labels:
    {{- include "shop.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  schedule: {{ $c.schedule | quote }}
  {{- with $c.timeZone }}
  timeZone: {{ . }}
  {{- end }}
  # Never two at once: a slow run is not doubled by the next tick.
  concurrencyPolicy: Forbid
  startingDeadlineSeconds: {{ $c.startingDeadlineSeconds }}
  successfulJobsHistoryLimit: {{ $c.successfulJobsHistoryLimit }}
  failedJobsHistoryLimit: {{ $c.failedJobsHistoryLimit }}
  jobTemplate:
    metadata:
      labels:
        {{- include "shop.selectorLabels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ .component }}
    spec:
      backoffLimit: {{ $c.backoffLimit }}
      activeDeadlineSeconds: {{ $c.activeDeadlineSeconds }}
      template:
        metadata:
          labels:
            {{- include "shop.selectorLabels" $root | nindent 12 }}
            app.kubernetes.io/component: {{ .component }}
          annotations:
            checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
            checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
        spec:
          {{- include "shop.podCommon" $root | nindent 10 }}
          restartPolicy: Never
          containers:
            - name: {{ .component }}
              image: {{ include "shop.image" $root | quote }}
              imagePullPolicy: {{ $root.Values.image.pullPolicy }}
              args: {{ toRawJson .args }}
              envFrom:
                - configMapRef:
                    name: {{ include "shop.fullname" $root }}
                - secretRef:
                    name: {{ include "shop.secretName" $root }}
              env:
                - name: ALLOWED_HOSTS
                  value: {{ include "shop.allowedHosts" $root | quote }}
              resources:
                {{- toYaml $c.resources | nindent 16 }}
              securityContext:
                {{- include "shop.securityContext" $root | nindent 16 }}
              volumeMounts:
                {{- include "shop.tmpVolumeMount" $root | nindent 16 }}
          volumes:
            {{- include "shop.tmpVolume" $root | nindent 12 }}
{{- end }}
