{{/* Names, labels, the HUB_* environment and the pod spec shared by every workload. */}}

{{- define "hub.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-scoped base name; component suffixes (-api, -worker, -migrate) keep it under 63. */}}
{{- define "hub.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "hub.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "hub.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hub.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "hub.labels" -}}
helm.sh/chart: {{ include "hub.chart" . }}
{{ include "hub.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: school-safety-hub
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels of one component; call with (dict "root" $ "component" "api"). */}}
{{- define "hub.componentLabels" -}}
{{ include "hub.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "hub.componentSelectorLabels" -}}
{{ include "hub.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "hub.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "hub.secretName" -}}
{{- default (include "hub.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{- define "hub.kafkaCaMounted" -}}
{{- if or .Values.kafka.caFile.secretName .Values.kafka.caFile.configMapName }}true{{ end }}
{{- end }}

{{- define "hub.kafkaCaDir" -}}/etc/hub/kafka-ca{{- end }}

{{/* config.publicBaseUrl, else the ingress host; ack links must reach recipients. */}}
{{- define "hub.publicBaseUrl" -}}
{{- if .Values.config.publicBaseUrl }}
{{- .Values.config.publicBaseUrl }}
{{- else if and .Values.ingress.enabled .Values.ingress.host }}
{{- printf "%s://%s" (ternary "https" "http" (ne .Values.ingress.tlsSecretName "")) .Values.ingress.host }}
{{- else }}
{{- fail "set config.publicBaseUrl (or ingress.enabled with ingress.host): links in alert messages point there" }}
{{- end }}
{{- end }}

{{/*
The ConfigMap's data: every non-secret HUB_* setting. Integers go through int64 because Helm
reads numbers as floats (52428800 would print as 5.24288e+07); empty strings are left out, so
the hub's own "unset" applies (an empty HUB_KAFKA_SASL_MECHANISM would not parse).
*/}}
{{- define "hub.configData" -}}
{{- $c := .Values.config -}}
{{- $k := .Values.kafka -}}
HUB_ENVIRONMENT: {{ $c.environment | quote }}
HUB_CENTER_SLUG: {{ $c.centerSlug | quote }}
HUB_CENTER_NAME: {{ $c.centerName | quote }}
HUB_CENTER_STATE: {{ $c.centerState | quote }}
HUB_SCHEMAS_DIR: {{ $c.schemasDir | quote }}
HUB_PUBLIC_BASE_URL: {{ include "hub.publicBaseUrl" . | quote }}
HUB_LOG_LEVEL: {{ $c.logLevel | quote }}
HUB_LOG_FORMAT: {{ $c.logFormat | quote }}
HUB_METRICS_PORT: {{ $c.metricsPort | int64 | quote }}
HUB_DATABASE_POOL_SIZE: {{ $c.databasePoolSize | int64 | quote }}
HUB_GRAPHQL_MAX_DEPTH: {{ $c.graphqlMaxDepth | int64 | quote }}
HUB_GRAPHQL_MAX_ALIASES: {{ $c.graphqlMaxAliases | int64 | quote }}
HUB_GRAPHQL_MAX_TOKENS: {{ $c.graphqlMaxTokens | int64 | quote }}
HUB_GRAPHQL_MAX_BODY_BYTES: {{ $c.graphqlMaxBodyBytes | int64 | quote }}
HUB_GRAPHQL_MAX_UPLOAD_BYTES: {{ $c.graphqlMaxUploadBytes | int64 | quote }}
HUB_GRAPHQL_THREADS: {{ $c.graphqlThreads | int64 | quote }}
HUB_GRAPHIQL: {{ $c.graphiql | quote }}
HUB_SMTP_FROM: {{ $c.smtpFrom | quote }}
HUB_SMTP_TIMEOUT_SECONDS: {{ $c.smtpTimeoutSeconds | quote }}
{{- with $c.smsGatewayUrl }}
HUB_SMS_GATEWAY_URL: {{ . | quote }}
{{- end }}
{{- with $c.smsAccountSid }}
HUB_SMS_ACCOUNT_SID: {{ . | quote }}
{{- end }}
{{- with $c.smsFrom }}
HUB_SMS_FROM: {{ . | quote }}
{{- end }}
HUB_WEBHOOK_TIMEOUT_SECONDS: {{ $c.webhookTimeoutSeconds | quote }}
HUB_DELIVERY_MAX_ATTEMPTS: {{ $c.deliveryMaxAttempts | int64 | quote }}
HUB_DELIVERY_RETRY_BASE_SECONDS: {{ $c.deliveryRetryBaseSeconds | quote }}
HUB_ALERTS_ALLOW_SELF_APPROVAL_OF_EXERCISES: {{ $c.alertsAllowSelfApprovalOfExercises | quote }}
HUB_ALERTS_ESCALATE_AFTER_MINUTES: {{ $c.alertsEscalateAfterMinutes | int64 | quote }}
HUB_ALERTS_STUCK_AFTER_SECONDS: {{ $c.alertsStuckAfterSeconds | int64 | quote }}
HUB_ALERTS_ACK_LINK_TTL_HOURS: {{ $c.alertsAckLinkTtlHours | int64 | quote }}
HUB_WEB_SESSION_HOURS: {{ $c.webSessionHours | int64 | quote }}
HUB_FEDERATION_PAGE_SIZE: {{ $c.federationPageSize | int64 | quote }}
HUB_FEDERATION_TIMEOUT_SECONDS: {{ $c.federationTimeoutSeconds | quote }}
HUB_FEDERATION_MAX_CHANGES_PER_RUN: {{ $c.federationMaxChangesPerRun | int64 | quote }}
HUB_FEDERATION_RETRY_BASE_SECONDS: {{ $c.federationRetryBaseSeconds | quote }}
HUB_FEDERATION_RETRY_MAX_SECONDS: {{ $c.federationRetryMaxSeconds | quote }}
HUB_FEDERATION_STALE_RUN_SECONDS: {{ $c.federationStaleRunSeconds | int64 | quote }}
HUB_FEDERATION_REPLAY_WINDOW_SECONDS: {{ $c.federationReplayWindowSeconds | int64 | quote }}
HUB_FEDERATION_DEFAULT_MAX_DELETE_SHARE: {{ $c.federationDefaultMaxDeleteShare | quote }}
HUB_FEDERATION_BREAKER_MIN_DELETIONS: {{ $c.federationBreakerMinDeletions | int64 | quote }}
HUB_FEDERATION_TOMBSTONE_GRACE_DAYS: {{ $c.federationTombstoneGraceDays | int64 | quote }}
HUB_KAFKA_BOOTSTRAP_SERVERS: {{ $k.bootstrapServers | quote }}
HUB_KAFKA_SECURITY_PROTOCOL: {{ $k.securityProtocol | quote }}
{{- with $k.saslMechanism }}
HUB_KAFKA_SASL_MECHANISM: {{ . | quote }}
{{- end }}
{{- with $k.saslUsername }}
HUB_KAFKA_SASL_USERNAME: {{ . | quote }}
{{- end }}
{{- if include "hub.kafkaCaMounted" . }}
HUB_KAFKA_SSL_CAFILE: {{ printf "%s/%s" (include "hub.kafkaCaDir" .) $k.caFile.key | quote }}
{{- end }}
HUB_KAFKA_TOPIC_PREFIX: {{ $k.topicPrefix | quote }}
HUB_KAFKA_PARTITIONS: {{ $k.partitions | int64 | quote }}
HUB_KAFKA_REPLICATION_FACTOR: {{ $k.replicationFactor | int64 | quote }}
HUB_KAFKA_CONSUMER_GROUP: {{ $k.consumerGroup | quote }}
{{- end }}

{{/* The Secret's data (base64): the SecretStr settings, and the database URL's password. */}}
{{- define "hub.secretData" -}}
{{- $s := .Values.secrets -}}
HUB_SECRET_KEY: {{ $s.secretKey | b64enc | quote }}
HUB_DATABASE_URL: {{ $s.databaseUrl | b64enc | quote }}
{{- with $s.kafkaSaslPassword }}
HUB_KAFKA_SASL_PASSWORD: {{ . | b64enc | quote }}
{{- end }}
{{- with $s.smtpUrl }}
HUB_SMTP_URL: {{ . | b64enc | quote }}
{{- end }}
{{- with $s.smsAuthToken }}
HUB_SMS_AUTH_TOKEN: {{ . | b64enc | quote }}
{{- end }}
{{- end }}

{{/* Roll the pods when their configuration changes (not seen for an existing Secret). */}}
{{- define "hub.checksums" -}}
checksum/config: {{ include "hub.configData" . | sha256sum }}
{{- if not .Values.secrets.existingSecret }}
checksum/secret: {{ include "hub.secretData" . | sha256sum }}
{{- end }}
{{- end }}

{{/*
Pod metadata and spec of one workload. Call with (dict "root" $ "component" "api"
"args" (list ...) "resources" {...} "config" "<ConfigMap name>" "secret" "<Secret name>"
"checksums" true (Deployments) "restartPolicy" "Never" (Jobs)
"extra" (dict of container fields: ports, probes)).
*/}}
{{- define "hub.podTemplate" -}}
{{- $root := .root -}}
metadata:
  labels:
    {{- include "hub.componentSelectorLabels" . | nindent 4 }}
    {{- with $root.Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    {{- if .checksums }}
    {{- include "hub.checksums" $root | nindent 4 }}
    {{- end }}
    {{- with $root.Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  {{- with $root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.serviceAccountName }}
  serviceAccountName: {{ . }}
  {{- end }}
  automountServiceAccountToken: false
  {{- with .restartPolicy }}
  restartPolicy: {{ . }}
  {{- end }}
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  containers:
    - name: {{ .component }}
      image: {{ include "hub.image" $root | quote }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      args: {{ toJson .args }}
      envFrom:
        - configMapRef:
            name: {{ .config }}
        - secretRef:
            name: {{ .secret }}
      {{- with .extra }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
      resources:
        {{- toYaml .resources | nindent 8 }}
      securityContext:
        {{- toYaml $root.Values.securityContext | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- if include "hub.kafkaCaMounted" $root }}
        - name: kafka-ca
          mountPath: {{ include "hub.kafkaCaDir" $root }}
          readOnly: true
        {{- end }}
  volumes:
    # The root filesystem is read-only: uploads and temporary files go here.
    - name: tmp
      emptyDir:
        sizeLimit: {{ $root.Values.tmp.sizeLimit }}
    {{- with $root.Values.kafka.caFile }}
    {{- if .secretName }}
    - name: kafka-ca
      secret:
        secretName: {{ .secretName }}
        items:
          - key: {{ .key }}
            path: {{ .key }}
    {{- else if .configMapName }}
    - name: kafka-ca
      configMap:
        name: {{ .configMapName }}
        items:
          - key: {{ .key }}
            path: {{ .key }}
    {{- end }}
    {{- end }}
  {{- with $root.Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $root.Values.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
