# Create test environment
mkdir -p ~/test-wicked-platform/incident-response
cd ~/test-wicked-platform/incident-response

# Initialize git repo with deployment history
git init

# Create service structure
mkdir -p services/checkout-api services/payment-service services/user-service

# Create checkout-api with recent changes
cat > services/checkout-api/config.ts << 'EOF'
export const config = {
  paymentTimeout: 500,  // Changed from 5000ms - potential issue!
  retryAttempts: 3,
  circuitBreakerThreshold: 5
};
EOF

cat > services/checkout-api/checkout.ts << 'EOF'
import { config } from './config';
import { PaymentService } from '../payment-service/client';

export async function processCheckout(orderId: string) {
  const payment = new PaymentService({ timeout: config.paymentTimeout });

  try {
    const result = await payment.charge(orderId);
    return { success: true, transactionId: result.id };
  } catch (error) {
    if (error.code === 'TIMEOUT') {
      // Timeout errors spiking after recent change
      throw new Error(`Payment timeout for order ${orderId}`);
    }
    throw error;
  }
}
EOF

# Create deployment history
git add -A
git commit -m "Initial setup"

git add -A
git commit -m "feat(user-service): Add session caching"

git add -A
git commit -m "fix(payment-service): Update retry logic"

# The problematic deployment
cat > services/checkout-api/config.ts << 'EOF'
export const config = {
  paymentTimeout: 500,  // BUG: Should be 5000
  retryAttempts: 3,
  circuitBreakerThreshold: 5
};
EOF
git add -A
git commit -m "perf(checkout-api): Optimize timeout settings"

# Create simulated error log
cat > error.log << 'EOF'
2024-01-15T14:20:00Z INFO checkout-api Deployment checkout-api-v2.4.1 started
2024-01-15T14:20:30Z INFO checkout-api Deployment checkout-api-v2.4.1 completed
2024-01-15T14:23:15Z ERROR checkout-api Payment timeout for order ORD-1001
2024-01-15T14:23:16Z ERROR checkout-api Payment timeout for order ORD-1002
2024-01-15T14:23:17Z ERROR checkout-api Payment timeout for order ORD-1003
2024-01-15T14:23:18Z ERROR checkout-api Payment timeout for order ORD-1004
2024-01-15T14:23:19Z ERROR checkout-api Payment timeout for order ORD-1005
2024-01-15T14:23:20Z ERROR checkout-api Payment timeout for order ORD-1006
2024-01-15T14:24:00Z WARN payment-service High timeout rate from checkout-api
2024-01-15T14:24:30Z ERROR checkout-api Circuit breaker OPEN for payment-service
2024-01-15T14:25:00Z CRITICAL checkout-api Checkout failures exceeding threshold
EOF
